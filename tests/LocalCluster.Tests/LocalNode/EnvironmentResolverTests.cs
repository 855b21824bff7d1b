using System.Text;
using DataCluster.Kube.Models;
using DataCluster.LocalCluster.LocalNode;
using Xunit;

namespace DataCluster.LocalCluster.Tests.LocalNode;

public sealed class EnvironmentResolverTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Pod Pod(params EnvVar[] env) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = "orders-1",
            Namespace = "shop",
            Uid = "uid-1",
            Labels = new() { ["app.kubernetes.io/name"] = "datacluster", ["zone"] = "z" },
            Annotations = new() { ["note"] = "hello" },
        },
        Spec = new PodSpec
        {
            NodeName = "local-b",
            ServiceAccountName = "orders-agent",
            Containers = [new Container { Name = "agent", Env = [.. env] }],
        },
    };

    private static EnvVar Field(string name, string path) => new() { Name = name, ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = path } } };

    private static async Task<Dictionary<string, string>> Resolve(Pod pod, FakeReader? reader = null) =>
        (await EnvironmentResolver.ResolveAsync(pod, pod.Spec.Containers[0], "127.0.0.11", "127.0.0.1", reader ?? new FakeReader(), Ct))
            .ToDictionary(kv => kv.Key, kv => kv.Value);

    [Fact]
    public async Task Downward_api_fields_resolve_to_the_pod_and_its_local_addresses()
    {
        var env = await Resolve(Pod(
            Field("POD_NAME", "metadata.name"),
            Field("POD_NAMESPACE", "metadata.namespace"),
            Field("POD_UID", "metadata.uid"),
            Field("POD_IP", "status.podIP"),
            Field("HOST_IP", "status.hostIP"),
            Field("NODE_NAME", "spec.nodeName"),
            Field("ACCOUNT", "spec.serviceAccountName"),
            Field("APP", "metadata.labels['app.kubernetes.io/name']"),
            Field("NOTE", "metadata.annotations[\"note\"]"),
            Field("MISSING_LABEL", "metadata.labels['nope']")));

        Assert.Equal("orders-1", env["POD_NAME"]);
        Assert.Equal("shop", env["POD_NAMESPACE"]);
        Assert.Equal("uid-1", env["POD_UID"]);
        Assert.Equal("127.0.0.11", env["POD_IP"]);
        Assert.Equal("127.0.0.1", env["HOST_IP"]);
        Assert.Equal("local-b", env["NODE_NAME"]);
        Assert.Equal("orders-agent", env["ACCOUNT"]);
        Assert.Equal("datacluster", env["APP"]);
        Assert.Equal("hello", env["NOTE"]);
        Assert.Equal("", env["MISSING_LABEL"]);
    }

    [Fact]
    public async Task Secret_and_ConfigMap_keys_are_read_from_the_API_and_values_expand_earlier_variables()
    {
        var reader = new FakeReader()
            .Add(new Secret { Metadata = new ObjectMeta { Name = "creds", Namespace = "shop" }, Data = new() { ["password"] = Encoding.UTF8.GetBytes("s3cret") } })
            .Add(new ConfigMap { Metadata = new ObjectMeta { Name = "settings", Namespace = "shop" }, Data = new() { ["level"] = "Debug", ["mode"] = "fast" } });
        var pod = Pod(
            Field("POD_IP", "status.podIP"),
            new EnvVar { Name = "URL", Value = "http://$(POD_IP):8080" },
            new EnvVar { Name = "PASSWORD", ValueFrom = new EnvVarSource { SecretKeyRef = new SecretKeySelector { Name = "creds", Key = "password" } } },
            new EnvVar { Name = "LEVEL", ValueFrom = new EnvVarSource { ConfigMapKeyRef = new ConfigMapKeySelector { Name = "settings", Key = "level" } } },
            new EnvVar { Name = "OPTIONAL", ValueFrom = new EnvVarSource { SecretKeyRef = new SecretKeySelector { Name = "absent", Key = "x", Optional = true } } });
        pod.Spec.Containers[0].EnvFrom = [new EnvFromSource { Prefix = "CFG_", ConfigMapRef = new ConfigMapEnvSource { Name = "settings" } }];

        var resolved = await EnvironmentResolver.ResolveAsync(pod, pod.Spec.Containers[0], "127.0.0.11", "127.0.0.1", reader, Ct);
        var env = resolved.ToDictionary(kv => kv.Key, kv => kv.Value);

        Assert.Equal("http://127.0.0.11:8080", env["URL"]);
        Assert.Equal("s3cret", env["PASSWORD"]);
        Assert.Equal("Debug", env["LEVEL"]);
        Assert.Equal("fast", env["CFG_mode"]);
        Assert.False(env.ContainsKey("OPTIONAL"));
        Assert.Equal(["CFG_level", "CFG_mode", "POD_IP", "URL", "PASSWORD", "LEVEL"], resolved.Select(kv => kv.Key));
    }

    [Fact]
    public async Task A_later_definition_of_a_name_wins()
    {
        var env = await Resolve(Pod(new EnvVar { Name = "X", Value = "1" }, new EnvVar { Name = "X", Value = "2" }));

        Assert.Equal("2", env["X"]);
    }

    [Theory]
    [InlineData("secret", "secret \"creds\" not found (env V)")]
    [InlineData("secret-key", "couldn't find key nope in Secret shop/creds (env V)")]
    [InlineData("configmap", "configmap \"settings\" not found (env V)")]
    [InlineData("field", "env V: unsupported fieldRef path \"status.phase\"")]
    [InlineData("resource", "env V: resourceFieldRef is not supported by the local node")]
    public async Task Unresolvable_references_are_configuration_errors_naming_the_variable(string kind, string message)
    {
        var reader = new FakeReader().Add(new Secret { Metadata = new ObjectMeta { Name = "creds", Namespace = "shop" }, Data = [] });
        if (kind == "secret")
        {
            reader = new FakeReader();
        }

        var source = kind switch
        {
            "secret" or "secret-key" => new EnvVarSource { SecretKeyRef = new SecretKeySelector { Name = "creds", Key = "nope" } },
            "configmap" => new EnvVarSource { ConfigMapKeyRef = new ConfigMapKeySelector { Name = "settings", Key = "k" } },
            "field" => new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "status.phase" } },
            _ => new EnvVarSource { ResourceFieldRef = new ResourceFieldSelector { Resource = "limits.cpu" } },
        };

        var error = await Assert.ThrowsAsync<ContainerConfigException>(() => Resolve(Pod(new EnvVar { Name = "V", ValueFrom = source }), reader));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.Equal("CreateContainerConfigError", error.Reason);
    }
}
