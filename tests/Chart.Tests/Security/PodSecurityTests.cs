using System.Text.Json;
using System.Text.Json.Nodes;
using DataCluster.Chart.Tests.Chart;
using DataCluster.Chart.Tests.Support;
using DataCluster.Contracts;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using Xunit;

namespace DataCluster.Chart.Tests.Security;

/// <summary>The operator's pods and the agent container meet the restricted Pod Security Standard.</summary>
public sealed class PodSecurityTests
{
    private static readonly BuilderOptions Options = new() { DefaultAgentImage = "ghcr.io/datacluster/agent:test" };

    /// <summary>A container that meets the restricted profile on its own.</summary>
    private const string RestrictedApp = """
        { "name": "app", "image": "registry.example/orders:1",
          "securityContext": { "runAsNonRoot": true, "allowPrivilegeEscalation": false, "capabilities": { "drop": ["ALL"] }, "seccompProfile": { "type": "RuntimeDefault" } } }
        """;

    /// <summary>The member pod template the operator renders for a DataCluster with <paramref name="template"/> as the user's template.</summary>
    private static JsonObject MemberPod(string template)
    {
        var cluster = new Operator.Api.DataCluster
        {
            ApiVersion = "datacluster.dev/v1alpha1",
            Kind = "DataCluster",
            Metadata = new ObjectMeta { Name = "orders", Namespace = "shop", Uid = "3f6a2b1c-0000-4000-8000-000000000001", Generation = 1 },
        };
        cluster.Spec.Template = JsonSerializer.Deserialize(template, OperatorJsonContext.Default.PodTemplateSpec);
        var statefulSet = StatefulSetBuilder.Build(Defaults.Apply(cluster), Options);
        return JsonSerializer.SerializeToNode(statefulSet.Spec.Template, KubeJsonContext.Default.PodTemplateSpec)!.AsObject();
    }

    private static string Describe(IEnumerable<Violation> violations) => string.Join("\n", violations.Select(v => $"{v.Where}: {v.Rule}: {v.Detail}"));

    [Theory]
    [MemberData(nameof(ValuesCases.Names), MemberType = typeof(ValuesCases))]
    public async Task The_operator_pod_meets_the_restricted_profile(string name)
    {
        var values = ValuesCases.All[name];
        var rendered = await Helm.RenderAsync("datacluster-system", values.ValuesObject, values.Arguments);

        var violations = RestrictedPodSecurity.Check(rendered.PodTemplate);

        Assert.True(violations.Count == 0, Describe(violations));
        Assert.True((bool)rendered.Container["securityContext"]!["readOnlyRootFilesystem"]!);
    }

    [Fact]
    public void A_member_pod_whose_app_meets_the_restricted_profile_meets_it_with_the_agent_added()
    {
        var pod = MemberPod($$"""{ "spec": { "containers": [ {{RestrictedApp}} ] } }""");

        var violations = RestrictedPodSecurity.Check(pod);

        Assert.True(violations.Count == 0, Describe(violations));
        Assert.Equal(["app", AgentPaths.ContainerName], pod["spec"]!["containers"]!.AsArray().Select(c => (string)c!["name"]!));
    }

    [Fact]
    public void The_agent_meets_the_profile_beside_an_app_that_does_not_and_the_app_is_left_as_written()
    {
        var pod = MemberPod("""{ "spec": { "containers": [ { "name": "app", "image": "busybox:1.36", "command": ["httpd", "-f"] } ] } }""");

        var violations = RestrictedPodSecurity.Check(pod);

        Assert.NotEmpty(violations);
        Assert.All(violations, v => Assert.Equal("app", v.Where));
        Assert.Null(pod["spec"]!["containers"]![0]!["securityContext"]);
    }

    [Fact]
    public void The_agent_keeps_its_restricted_settings_under_a_permissive_pod_security_context()
    {
        var pod = MemberPod($$"""
            { "spec": {
                "securityContext": { "runAsUser": 0, "runAsNonRoot": false, "seccompProfile": { "type": "Unconfined" } },
                "containers": [ {{RestrictedApp}} ] } }
            """);

        var violations = RestrictedPodSecurity.Check(pod);

        Assert.DoesNotContain(violations, v => v.Where == AgentPaths.ContainerName);
        Assert.Contains(violations, v => v.Where == "pod");
    }

    [Fact]
    public async Task The_operator_runs_as_the_same_non_root_user_as_the_agent()
    {
        var rendered = await Helm.RenderAsync("datacluster-system", null);

        Assert.Equal(AgentContainer.UserId, JsonText.Integer(rendered.PodSpec["securityContext"]!["runAsUser"]));
    }

    public static TheoryData<string, string> BadPods() => new()
    {
        // a change to a compliant pod, the rule it breaks
        { """{ "spec": { "hostNetwork": true } }""", "hostNamespaces" },
        { """{ "spec": { "hostPID": true } }""", "hostNamespaces" },
        { """{ "spec": { "volumes": [ { "name": "host", "hostPath": { "path": "/var/run" } } ] } }""", "hostPathVolumes" },
        { """{ "spec": { "volumes": [ { "name": "disk", "gcePersistentDisk": { "pdName": "d" } } ] } }""", "volumeTypes" },
        { """{ "spec": { "securityContext": { "sysctls": [ { "name": "kernel.msgmax", "value": "1" } ] } } }""", "sysctls" },
        { """{ "container": { "securityContext": { "privileged": true } } }""", "privileged" },
        { """{ "container": { "securityContext": { "allowPrivilegeEscalation": true } } }""", "allowPrivilegeEscalation" },
        { """{ "container": { "securityContext": { "capabilities": { "drop": ["NET_RAW"] } } } }""", "capabilities" },
        { """{ "container": { "securityContext": { "capabilities": { "add": ["SYS_ADMIN"] } } } }""", "capabilities" },
        { """{ "container": { "securityContext": { "runAsNonRoot": false } } }""", "runAsNonRoot" },
        { """{ "container": { "securityContext": { "runAsUser": 0 } } }""", "runAsUser" },
        { """{ "container": { "securityContext": { "seccompProfile": { "type": "Unconfined" } } } }""", "seccompProfile" },
        { """{ "container": { "securityContext": { "procMount": "Unmasked" } } }""", "procMount" },
        { """{ "container": { "ports": [ { "containerPort": 80, "hostPort": 80 } ] } }""", "hostPorts" },
        { """{ "metadata": { "annotations": { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" } } }""", "appArmorProfile" },
    };

    [Theory]
    [MemberData(nameof(BadPods))]
    public void A_pod_that_breaks_one_rule_fails_on_exactly_that_rule(string change, string rule)
    {
        var pod = JsonNode.Parse($$"""{ "metadata": {}, "spec": { "containers": [ {{RestrictedApp}} ] } }""")!.AsObject();
        var patch = JsonNode.Parse(change)!.AsObject();
        Merge(pod["spec"]!.AsObject(), patch["spec"]?.AsObject());
        Merge(pod["metadata"]!.AsObject(), patch["metadata"]?.AsObject());
        Merge(pod["spec"]!["containers"]![0]!.AsObject(), patch["container"]?.AsObject());

        var violations = RestrictedPodSecurity.Check(pod);

        Assert.Equal([rule], violations.Select(v => v.Rule).Distinct());
    }

    [Fact]
    public void The_compliant_base_of_the_bad_pods_passes()
    {
        Assert.Empty(RestrictedPodSecurity.Check(JsonNode.Parse($$"""{ "spec": { "containers": [ {{RestrictedApp}} ] } }""")!.AsObject()));
    }

    /// <summary>Sets every key of <paramref name="patch"/> in <paramref name="target"/>, merging nested objects.</summary>
    private static void Merge(JsonObject target, JsonObject? patch)
    {
        foreach (var (key, value) in patch ?? [])
        {
            if (value is JsonObject nested && target[key] is JsonObject existing)
            {
                Merge(existing, nested);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }
}
