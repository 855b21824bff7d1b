using System.Text.Json.Nodes;
using DataCluster.Chart.Tests.Support;
using Xunit;

namespace DataCluster.Chart.Tests.Chart;

/// <summary>Every object the chart renders is accepted by a real API server (kubectl apply --dry-run=server).</summary>
[Collection(ChartClusterCollection.Name)]
public sealed class ServerDryRunTests(ChartClusterFixture fixture)
{
    [Theory]
    [MemberData(nameof(ValuesCases.Names), MemberType = typeof(ValuesCases))]
    public async Task The_API_server_accepts_every_rendered_object(string name)
    {
        await fixture.PrepareAsync();
        var values = ValuesCases.All[name];
        var ns = await fixture.CreateNamespaceAsync("chart");
        var rendered = await Helm.RenderAsync(ns, values.ValuesObject, values.Arguments);

        var result = (await ApplyAsync(rendered.Yaml, "--dry-run=server")).Succeeded("kubectl apply --dry-run=server");

        var accepted = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(rendered.Objects.Count, accepted.Length);
        Assert.All(accepted, line => Assert.EndsWith("(server dry run)", line, StringComparison.Ordinal));
        foreach (var kind in rendered.Kinds)
        {
            Assert.Contains(accepted, line => line.StartsWith(kind.ToLowerInvariant() + ".", StringComparison.Ordinal) || line.StartsWith(kind.ToLowerInvariant() + "/", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task The_dry_run_catches_what_the_schema_lets_through()
    {
        await fixture.PrepareAsync();
        var ns = await fixture.CreateNamespaceAsync("chart");
        var rendered = await Helm.RenderAsync(ns, JsonNode.Parse("""{ "resources": { "requests": { "cpu": "lots" } } }""")!.AsObject());

        var result = await ApplyAsync(rendered.Yaml, "--dry-run=server");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("quantities must match the regular expression", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Installing_on_a_cluster_that_serves_ServiceMonitors_renders_one_and_prints_what_to_apply_next()
    {
        await fixture.PrepareAsync();
        var ns = await fixture.CreateNamespaceAsync("chart");

        var result = (await Run.ProcessAsync(Tools.Helm,
        [
            "install", Helm.Release, Repository.Chart, "--dry-run", "--namespace", ns, "--kubeconfig", fixture.KubeconfigPath,
            "--set", "metrics.serviceMonitor.enabled=true", "--set", "watchNamespaces={team-a}",
        ])).Succeeded("helm install --dry-run");

        Assert.Contains("kind: ServiceMonitor", result.Output, StringComparison.Ordinal);
        var notes = result.Output[result.Output.IndexOf("NOTES:", StringComparison.Ordinal)..];
        Assert.Contains("kind: DataCluster", notes, StringComparison.Ordinal);
        Assert.Contains("kubectl get dc -n team-a", notes, StringComparison.Ordinal);
        Assert.Contains($"kubectl rollout status deployment/datacluster-operator -n {ns}", notes, StringComparison.Ordinal);
        Assert.DoesNotContain("no ServiceMonitor was created", notes, StringComparison.Ordinal);
    }

    private Task<ProcessResult> ApplyAsync(string yaml, string dryRun) =>
        Run.ProcessAsync(Tools.Kubectl, ["--kubeconfig", fixture.KubeconfigPath, "apply", dryRun, "-f", "-"], yaml);
}
