using System.Text.Json.Nodes;
using DataCluster.Chart.Tests.Support;
using Xunit;

namespace DataCluster.Chart.Tests.GitOps;

/// <summary>
/// The Argo CD health check (run by a real Lua interpreter) and kstatus' rules (Flux) on the
/// DataCluster the operator writes in each state, and on captured objects when there are any.
/// </summary>
public sealed class HealthCheckTests
{
    /// <summary>
    /// Where DataClusters captured from a running cluster go (kubectl get dc NAME -o json), each
    /// named EXPECTED--WHAT.json with EXPECTED the Argo CD health it must get (Healthy, Progressing
    /// or Degraded); see the README there.
    /// </summary>
    public const string CapturedDirectory = "tests/Chart.Tests/GitOps/Captured";

    public static TheoryData<string> States() => [.. DataClusterStates.All.Select(s => s.Name)];

    private static DataClusterState State(string name) => DataClusterStates.All.Single(s => s.Name == name);

    [Theory]
    [MemberData(nameof(States))]
    public async Task Argo_CD_reports_the_health_of_each_state(string name)
    {
        var state = State(name);

        var health = await ArgoHealth.CheckAsync(state.Object());

        Assert.Equal(state.Argo, health.Status);
        Assert.False(string.IsNullOrWhiteSpace(health.Message));
    }

    [Theory]
    [MemberData(nameof(States))]
    public void Kstatus_reads_each_state_as_expected(string name)
    {
        var state = State(name);

        Assert.Equal(state.Kstatus, Kstatus.Compute(state.Object()));
    }

    [Theory]
    [MemberData(nameof(States))]
    public async Task Argo_CD_and_kstatus_agree_except_where_kstatus_cannot_know(string name)
    {
        var state = State(name);
        var health = await ArgoHealth.CheckAsync(state.Object());
        var kstatus = Kstatus.Compute(state.Object());

        // kstatus calls an object without status Current, and a deleted one Terminating, which
        // Argo CD has no health for; everywhere else the two must mean the same.
        if (name is not ("just applied, no status yet" or "being deleted"))
        {
            Assert.Equal(Kstatus.Equivalent(health.Status), kstatus);
        }
    }

    [Theory]
    [InlineData("a member killed, beyond a lease", "Degraded", "not ready: orders-2")]
    [InlineData("invalid from the start", "Degraded", "lower the factor or add replicas")]
    [InlineData("a stalled drain", "Degraded", "has made no progress for 600s")]
    [InlineData("rolling update", "Progressing", "Updating members to the current template")]
    [InlineData("ready", "Healthy", "All 3 members are ready")]
    public async Task Argo_CD_shows_the_operators_message(string name, string status, string message)
    {
        var health = await ArgoHealth.CheckAsync(State(name).Object());

        Assert.Equal(status, health.Status);
        Assert.Contains(message, health.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Strings_with_quotes_backslashes_and_non_ASCII_reach_Lua_intact()
    {
        var cluster = State("invalid from the start").Object();
        var conditions = cluster["status"]!["conditions"]!.AsArray();
        conditions.Single(c => (string?)c!["type"] == "Stalled")!["message"] = "say \"hi\" \\ to Zoë\nand ✓";

        var health = await ArgoHealth.CheckAsync(cluster);

        Assert.Equal("say \"hi\" \\ to Zoë\nand ✓", health.Message);
    }

    [Fact]
    public async Task Captured_DataClusters_get_the_health_their_name_says_and_kstatus_agrees()
    {
        var directory = Repository.PathOf(CapturedDirectory);
        var files = Directory.Exists(directory) ? Directory.GetFiles(directory, "*.json") : [];
        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            var expected = Path.GetFileName(file).Split("--")[0];
            var captured = JsonNode.Parse(await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken))!.AsObject();

            var health = await ArgoHealth.CheckAsync(captured);

            Assert.True(expected == health.Status, $"{Path.GetFileName(file)}: Argo CD says {health.Status} ({health.Message})");
            Assert.True(Kstatus.Equivalent(expected) == Kstatus.Compute(captured), $"{Path.GetFileName(file)}: kstatus says {Kstatus.Compute(captured)}");
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{files.Length} captured DataCluster(s) checked in {CapturedDirectory}.");
    }
}
