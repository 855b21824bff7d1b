using DataCluster.Chart.Tests.Support;
using DataCluster.Contracts;
using DataCluster.Operator.Hosting;
using Xunit;

namespace DataCluster.Chart.Tests.Chart;

/// <summary>What <c>helm template</c> renders for the default values and for each case of the matrix.</summary>
public sealed class TemplateTests
{
    [Fact]
    public async Task Helm_lint_is_clean()
    {
        var result = await Run.ProcessAsync(Tools.Helm, ["lint", "--strict", Repository.Chart]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.DoesNotContain("[WARNING]", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("[ERROR]", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ValuesCases.Names), MemberType = typeof(ValuesCases))]
    public async Task Rendering_shows_what_the_values_ask_for(string name)
    {
        var values = ValuesCases.All[name];

        var rendered = await Helm.RenderAsync("datacluster-system", values.ValuesObject, values.Arguments);

        values.Check(rendered);
    }

    [Theory]
    [MemberData(nameof(ValuesCases.Names), MemberType = typeof(ValuesCases))]
    public async Task The_operator_accepts_the_flags_the_chart_gives_it(string name)
    {
        var values = ValuesCases.All[name];
        var rendered = await Helm.RenderAsync("datacluster-system", values.ValuesObject, values.Arguments);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { [OperatorEnvironment.PodNamespace] = "datacluster-system" };

        var parsed = OperatorCommandLine.Parse(rendered.Args, v => environment.GetValueOrDefault(v));

        Assert.Null(parsed.Error);
        var options = parsed.Options!;
        var watched = values.ValuesObject["watchNamespaces"]?.AsArray().Select(n => (string)n!).ToList() ?? [];
        Assert.Equal(watched, options.Namespaces);
        Assert.Equal((bool?)values.ValuesObject["leaderElection"]?["enabled"] ?? true, options.LeaderElect);
        Assert.Equal("datacluster-system", options.LeaderElectionNamespace);
        Assert.Equal(rendered.Args.Single(a => a.StartsWith("--agent-image=", StringComparison.Ordinal))["--agent-image=".Length..], options.AgentImage);
        Assert.Equal(8081, options.HealthProbeBindAddress.Port);
    }

    [Fact]
    public async Task Probes_and_ports_point_at_the_addresses_the_operator_listens_on()
    {
        var rendered = await Helm.RenderAsync("datacluster-system", null);
        var ports = rendered.Container["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => JsonText.Integer(p!["containerPort"]));

        Assert.Equal(new Dictionary<string, long> { ["metrics"] = 8080, ["health"] = 8081 }, ports);
        Assert.Equal(("/readyz", "health"), ((string?)rendered.Container["readinessProbe"]!["httpGet"]!["path"], (string?)rendered.Container["readinessProbe"]!["httpGet"]!["port"]));
        Assert.Equal(("/healthz", "health"), ((string?)rendered.Container["livenessProbe"]!["httpGet"]!["path"], (string?)rendered.Container["livenessProbe"]!["httpGet"]!["port"]));
        Assert.Equal("metrics", (string?)rendered.Single("Service")["spec"]!["ports"]![0]!["targetPort"]);
    }

    [Fact]
    public async Task Several_replicas_without_leader_election_are_refused_with_the_fix()
    {
        var result = await Helm.TemplateAsync("datacluster-system", System.Text.Json.Nodes.JsonNode.Parse("""{ "leaderElection": { "enabled": false } }""")!.AsObject());

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("replicaCount is greater than 1 while leaderElection.enabled is false", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_namespaced_object_lands_in_the_release_namespace()
    {
        var rendered = await Helm.RenderAsync("ops", System.Text.Json.Nodes.JsonNode.Parse("""{ "metrics": { "serviceMonitor": { "enabled": true } } }""")!.AsObject(), "--api-versions", "monitoring.coreos.com/v1");

        var clusterScoped = new[] { "ClusterRole", "ClusterRoleBinding" };
        Assert.All(rendered.Objects.Where(o => !clusterScoped.Contains((string)o["kind"]!)), o => Assert.Equal("ops", (string?)o["metadata"]!["namespace"]));
        Assert.Equal("ops", (string?)rendered.Single("ClusterRoleBinding")["subjects"]![0]!["namespace"]);
    }
}
