using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataCluster.Chart.Tests.GitOps;
using DataCluster.Chart.Tests.Support;
using Xunit;

namespace DataCluster.Chart.Tests.Install;

/// <summary>A DataCluster as the API server returned it in one state, with the health GitOps tools must give it.</summary>
internal sealed record CapturedState(string What, string ExpectedArgo, JsonObject Object)
{
    /// <summary>The file name in <see cref="HealthCheckTests.CapturedDirectory"/>: EXPECTED--WHAT.json.</summary>
    public string FileName => $"{ExpectedArgo}--{What}.json";
}

/// <summary>
/// Checks captured DataClusters with the Argo CD health check and kstatus, and writes them to
/// <see cref="HealthCheckTests.CapturedDirectory"/> when <see cref="Variable"/> is <c>1</c>, so
/// the committed set can be refreshed from a real run.
/// </summary>
internal static class CapturedStates
{
    public const string Variable = "DATACLUSTER_CAPTURE_DATACLUSTERS";

    /// <summary>Indented, with quotes and non-ASCII text as they are, as kubectl writes JSON.</summary>
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>What kubectl get -o json shows: the object without its managedFields.</summary>
    public static CapturedState Capture(string what, string expectedArgo, JsonObject dataCluster)
    {
        var copy = dataCluster.DeepClone().AsObject();
        copy["metadata"]?.AsObject().Remove("managedFields");
        return new CapturedState(what, expectedArgo, copy);
    }

    /// <summary>Fails with every state whose Argo CD health or kstatus result is not the expected one.</summary>
    public static async Task CheckAsync(IReadOnlyList<CapturedState> states)
    {
        var wrong = new List<string>();
        foreach (var state in states)
        {
            var health = await ArgoHealth.CheckAsync(state.Object);
            var kstatus = Kstatus.Compute(state.Object);
            var expectedKstatus = Kstatus.Equivalent(state.ExpectedArgo);
            TestContext.Current.TestOutputHelper?.WriteLine($"{state.What}: Argo CD {health.Status} ({health.Message}); kstatus {kstatus}");
            if (health.Status != state.ExpectedArgo || kstatus != expectedKstatus)
            {
                wrong.Add($"{state.What}: Argo CD {health.Status} ({health.Message}), kstatus {kstatus}; expected {state.ExpectedArgo} and {expectedKstatus}.\n{Conditions(state.Object)}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    /// <summary>Writes the states to the captured directory when asked to; returns how many it wrote.</summary>
    public static async Task<int> WriteIfAskedAsync(IReadOnlyList<CapturedState> states)
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            return 0;
        }

        var directory = Repository.PathOf(HealthCheckTests.CapturedDirectory);
        foreach (var state in states)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, state.FileName), state.Object.ToJsonString(Indented) + "\n", TestContext.Current.CancellationToken);
        }

        return states.Count;
    }

    /// <summary>The status conditions, one line each, for failure messages.</summary>
    public static string Conditions(JsonObject dataCluster) =>
        string.Join("\n", (dataCluster["status"]?["conditions"]?.AsArray() ?? []).Select(c => $"  {c?["type"]}={c?["status"]} {c?["reason"]}: {c?["message"]}"));
}
