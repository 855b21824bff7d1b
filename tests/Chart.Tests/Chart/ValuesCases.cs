using System.Text.Json.Nodes;
using DataCluster.Chart.Tests.Support;
using Xunit;

namespace DataCluster.Chart.Tests.Chart;

/// <summary>One way to install the chart: values, the API versions helm is told the cluster serves, and what must come out.</summary>
internal sealed record ValuesCase(string Values, string[] ApiVersions, Action<Rendered> Check)
{
    public JsonObject ValuesObject => JsonNode.Parse(Values)!.AsObject();

    /// <summary>helm arguments for <see cref="ApiVersions"/>.</summary>
    public string[] Arguments => [.. ApiVersions.SelectMany(v => new[] { "--api-versions", v })];
}

/// <summary>The default values and a matrix of non-default ones, each with what the rendering must show.</summary>
internal static class ValuesCases
{
    public const string PriorityClass = "datacluster-test-priority";

    private const string Monitoring = "monitoring.coreos.com/v1";

    private static readonly string AppVersion = ChartFacts.AppVersion;

    public static readonly IReadOnlyDictionary<string, ValuesCase> All = new Dictionary<string, ValuesCase>(StringComparer.Ordinal)
    {
        ["defaults"] = new("{}", [], r =>
        {
            Assert.Equal(["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Service", "Deployment"], r.Kinds);
            Assert.Equal(2, JsonText.Integer(r.Deployment["spec"]!["replicas"]));
            Assert.Equal($"ghcr.io/datacluster/operator:{AppVersion}", (string?)r.Container["image"]);
            Assert.Equal(
                ["--leader-elect=true", "--metrics-bind-address=:8080", "--health-probe-bind-address=:8081", $"--agent-image=ghcr.io/datacluster/agent:{AppVersion}", "--log-level=Information", "--log-format=json", "--workers=2"],
                r.Args);
            Assert.Null(r.Env("OTEL_EXPORTER_OTLP_ENDPOINT"));
            Assert.Equal("datacluster-operator", (string?)r.PodSpec["serviceAccountName"]);
            Assert.NotNull(r.PodSpec["affinity"]!["podAntiAffinity"]);
        }),
        ["watch namespaces"] = new("""{ "watchNamespaces": ["team-a", "team-b"] }""", [], r =>
            Assert.Contains("--namespaces=team-a,team-b", r.Args)),
        ["single replica without leader election"] = new("""{ "replicaCount": 1, "leaderElection": { "enabled": false } }""", [], r =>
        {
            Assert.Equal(1, JsonText.Integer(r.Deployment["spec"]!["replicas"]));
            Assert.Contains("--leader-elect=false", r.Args);
        }),
        ["service monitor where the cluster serves it"] = new(
            """{ "metrics": { "serviceMonitor": { "enabled": true, "interval": "30s", "labels": { "release": "prometheus" } } } }""", [Monitoring], r =>
        {
            var monitor = r.Single("ServiceMonitor");
            Assert.Equal("prometheus", (string?)monitor["metadata"]!["labels"]!["release"]);
            var endpoint = monitor["spec"]!["endpoints"]!.AsArray().Single()!;
            Assert.Equal(("metrics", "/metrics", "30s"), ((string?)endpoint["port"], (string?)endpoint["path"], (string?)endpoint["interval"]));
            var serviceLabels = r.Single("Service")["metadata"]!["labels"]!.AsObject();
            Assert.All(monitor["spec"]!["selector"]!["matchLabels"]!.AsObject(), label => Assert.Equal((string?)label.Value, (string?)serviceLabels[label.Key]));
        }),
        ["service monitor where the cluster does not serve it"] = new("""{ "metrics": { "serviceMonitor": { "enabled": true } } }""", [], r =>
            Assert.Null(r.Find("ServiceMonitor"))),
        ["cluster serves ServiceMonitors but none is asked for"] = new("{}", [Monitoring], r =>
            Assert.Null(r.Find("ServiceMonitor"))),
        ["extra labels and annotations"] = new(
            """
            {
              "commonLabels": { "team": "payments" }, "commonAnnotations": { "owner": "payments@example.com" },
              "podLabels": { "tier": "control" }, "podAnnotations": { "scrape": "yes" },
              "metrics": { "serviceMonitor": { "enabled": true } }
            }
            """, [Monitoring], r =>
        {
            Assert.All(r.Objects, o => Assert.Equal("payments", (string?)o["metadata"]!["labels"]!["team"]));
            Assert.All(r.Objects, o => Assert.Equal("payments@example.com", (string?)o["metadata"]!["annotations"]!["owner"]));
            var pod = r.PodTemplate["metadata"]!;
            Assert.Equal(("payments", "control", "yes"), ((string?)pod["labels"]!["team"], (string?)pod["labels"]!["tier"], (string?)pod["annotations"]!["scrape"]));
            Assert.Null(pod["annotations"]!["owner"]);
        }),
        ["resources"] = new("""{ "resources": { "requests": { "cpu": "250m", "memory": "256Mi" }, "limits": { "cpu": "1", "memory": "512Mi" } } }""", [], r =>
            Assert.Equal("""{"limits":{"cpu":"1","memory":"512Mi"},"requests":{"cpu":"250m","memory":"256Mi"}}""", JsonText.Canonical(r.Container["resources"]))),
        ["scheduling"] = new(
            """
            {
              "nodeSelector": { "kubernetes.io/os": "linux" },
              "tolerations": [ { "key": "dedicated", "operator": "Equal", "value": "control", "effect": "NoSchedule" } ],
              "affinity": { "nodeAffinity": { "requiredDuringSchedulingIgnoredDuringExecution": { "nodeSelectorTerms": [
                { "matchExpressions": [ { "key": "node-role", "operator": "In", "values": ["control"] } ] } ] } } }
            }
            """, [], r =>
        {
            Assert.Equal("linux", (string?)r.PodSpec["nodeSelector"]!["kubernetes.io/os"]);
            Assert.Equal("dedicated", (string?)r.PodSpec["tolerations"]![0]!["key"]);
            Assert.NotNull(r.PodSpec["affinity"]!["nodeAffinity"]);
            Assert.Null(r.PodSpec["affinity"]!["podAntiAffinity"]);
        }),
        ["priority class"] = new($$"""{ "priorityClassName": "{{PriorityClass}}" }""", [], r =>
            Assert.Equal(PriorityClass, (string?)r.PodSpec["priorityClassName"])),
        ["OTLP endpoint"] = new("""{ "otlpEndpoint": "http://collector.observability:4317" }""", [], r =>
            Assert.Equal("http://collector.observability:4317", r.Env("OTEL_EXPORTER_OTLP_ENDPOINT"))),
        ["private registry"] = new(
            """
            {
              "image": { "repository": "registry.example/dc/operator", "tag": "1.2.3", "pullPolicy": "Always" },
              "agent": { "image": { "repository": "registry.example/dc/agent", "tag": "1.2.3" } },
              "imagePullSecrets": [ { "name": "regcred" } ]
            }
            """, [], r =>
        {
            Assert.Equal(("registry.example/dc/operator:1.2.3", "Always"), ((string?)r.Container["image"], (string?)r.Container["imagePullPolicy"]));
            Assert.Contains("--agent-image=registry.example/dc/agent:1.2.3", r.Args);
            Assert.Equal("regcred", (string?)r.PodSpec["imagePullSecrets"]![0]!["name"]);
        }),
        ["metrics off"] = new("""{ "metrics": { "enabled": false, "serviceMonitor": { "enabled": true } } }""", [Monitoring], r =>
        {
            Assert.Equal(["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Deployment"], r.Kinds);
            Assert.Contains("--metrics-bind-address=0", r.Args);
            Assert.DoesNotContain(r.Container["ports"]!.AsArray(), p => (string?)p!["name"] == "metrics");
        }),
        ["existing service account, no RBAC"] = new("""{ "serviceAccount": { "create": false, "name": "ops-operator" }, "rbac": { "create": false } }""", [], r =>
        {
            Assert.Equal(["Service", "Deployment"], r.Kinds);
            Assert.Equal("ops-operator", (string?)r.PodSpec["serviceAccountName"]);
        }),
        ["logging and workers"] = new("""{ "logLevel": "Debug", "logFormat": "text", "workers": 4 }""", [], r =>
            Assert.Superset(new HashSet<string> { "--log-level=Debug", "--log-format=text", "--workers=4" }, r.Args.ToHashSet())),
    };

    public static TheoryData<string> Names() => [.. All.Keys];
}
