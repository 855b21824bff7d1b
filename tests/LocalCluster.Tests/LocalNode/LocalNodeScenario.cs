using System.Net;
using System.Net.Http.Json;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.Kube.Models;
using DataCluster.Testing;
using DataCluster.LocalCluster.LocalNode;
using Xunit;

namespace DataCluster.LocalCluster.Tests.LocalNode;

/// <summary>
/// A namespace with its own local node (Nodes NS-a in zone-a and NS-b in zone-b) that runs the
/// agent test double for the image <see cref="Image"/>, plus helpers to build and observe a
/// StatefulSet of it.
/// </summary>
internal sealed class LocalNodeScenario : IAsyncDisposable
{
    public const string Image = "example.com/agent-test-double:dev";

    /// <summary>Pods start, bind and probe within seconds; this only catches hangs on a loaded machine.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private LocalNodeScenario(ControlPlaneFixture fixture, string ns, KubeClient client, LocalCluster.LocalNode.LocalNode node)
    {
        Fixture = fixture;
        Namespace = ns;
        Client = client;
        Node = node;
    }

    public ControlPlaneFixture Fixture { get; }

    public string Namespace { get; }

    public KubeClient Client { get; }

    public LocalCluster.LocalNode.LocalNode Node { get; }

    public static HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <param name="customize">Changes to the node's options (its pod selector, say).</param>
    public static async Task<LocalNodeScenario> StartAsync(ControlPlaneFixture fixture, string prefix, Func<LocalNodeOptions, LocalNodeOptions>? customize = null)
    {
        var ns = await fixture.CreateNamespaceAsync(prefix);
        var client = new KubeClient(KubeConfig.FromFile(fixture.KubeconfigPath));
        var options = new LocalNodeOptions
        {
            Namespace = ns,
            Nodes = [new($"{ns}-a", "zone-a", "local"), new($"{ns}-b", "zone-b", "local")],
            Images = new Dictionary<string, LocalExecutable>
            {
                [Image] = new("dotnet", [Path.Combine(AppContext.BaseDirectory, "DataCluster.AgentTestDouble.dll")]),
            },
            ApiServer = fixture.Server,
            CertificateAuthorityPem = fixture.Plane.Pki.CaCertPem,
            // A block of its own per test: tests run in parallel, each with its own local node.
            FirstPodAddress = IPAddress.Parse($"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.10"),
        };
        var node = await LocalCluster.LocalNode.LocalNode.StartAsync(client, customize?.Invoke(options) ?? options, cancellationToken: Ct);
        return new LocalNodeScenario(fixture, ns, client, node);
    }

    /// <summary>A StatefulSet of the test double beside an app container the node does not run, with every kind of env source and volume.</summary>
    public StatefulSet StatefulSet(string name, int replicas, Action<PodSpec>? customize = null)
    {
        var labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "datacluster", ["app.kubernetes.io/instance"] = name };
        var spec = new PodSpec
        {
            Containers =
            [
                new Container { Name = "app", Image = "busybox:1.36", Command = ["sleep", "infinity"] },
                new Container
                {
                    Name = "agent",
                    Image = Image,
                    Ports = [new ContainerPort { Name = "http", Port = 8080 }],
                    ReadinessProbe = new Probe { HttpGet = new HttpGetAction { Path = "/readyz", Port = "http" }, PeriodSeconds = 5, FailureThreshold = 1 },
                    Env =
                    [
                        new EnvVar { Name = "POD_NAME", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "metadata.name" } } },
                        new EnvVar { Name = "POD_IP", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "status.podIP" } } },
                        new EnvVar { Name = "NODE_NAME", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "spec.nodeName" } } },
                        new EnvVar { Name = "INSTANCE", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "metadata.labels['app.kubernetes.io/instance']" } } },
                        new EnvVar { Name = "PASSWORD", ValueFrom = new EnvVarSource { SecretKeyRef = new SecretKeySelector { Name = "settings", Key = "password" } } },
                        new EnvVar { Name = "LEVEL", ValueFrom = new EnvVarSource { ConfigMapKeyRef = new ConfigMapKeySelector { Name = "settings", Key = "level" } } },
                        new EnvVar { Name = "DATACLUSTER_BIND_ADDRESS", Value = "0.0.0.0" },
                        new EnvVar { Name = "DATACLUSTER_DATA_DIR", Value = "/var/lib/datacluster" },
                        new EnvVar { Name = "DATACLUSTER_PEER_TOKEN_FILE", Value = "/var/run/datacluster/peer-token/token" },
                        new EnvVar { Name = "SELF_URL", Value = "http://$(POD_IP):8080" },
                    ],
                    VolumeMounts =
                    [
                        new VolumeMount { Name = "data", MountPath = "/var/lib/datacluster" },
                        new VolumeMount { Name = "peer-token", MountPath = "/var/run/datacluster/peer-token", ReadOnly = true },
                    ],
                },
            ],
            Volumes = [new Volume { Name = "peer-token", Secret = new SecretVolumeSource { SecretName = "peer-token", DefaultMode = 256 } }],
            ServiceAccountName = "double",
            TerminationGracePeriodSeconds = 30,
        };
        customize?.Invoke(spec);
        return new StatefulSet
        {
            Metadata = new ObjectMeta { Name = name, Namespace = Namespace },
            Spec = new StatefulSetSpec
            {
                Replicas = replicas,
                ServiceName = name,
                PodManagementPolicy = "Parallel",
                Selector = new LabelSelector { MatchLabels = labels },
                Template = new PodTemplateSpec { Metadata = new ObjectMeta { Labels = labels }, Spec = spec },
                VolumeClaimTemplates =
                [
                    new PersistentVolumeClaim
                    {
                        Metadata = new ObjectMeta { Name = "data" },
                        Spec = new PersistentVolumeClaimSpec { AccessModes = ["ReadWriteOnce"], Resources = new ResourceRequirements { Requests = new() { ["storage"] = "1Gi" } } },
                    },
                ],
            },
        };
    }

    /// <summary>The Secret, ConfigMap and ServiceAccount (allowed to read pods, nothing else) the StatefulSet refers to.</summary>
    public async Task CreateDependenciesAsync()
    {
        await Client.CreateAsync(KubeResources.Secrets, new Secret
        {
            Metadata = new ObjectMeta { Name = "settings", Namespace = Namespace },
            StringData = new() { ["password"] = "hunter2" },
        }, Ct);
        await Client.CreateAsync(KubeResources.Secrets, new Secret
        {
            Metadata = new ObjectMeta { Name = "peer-token", Namespace = Namespace },
            StringData = new() { ["token"] = "peer-secret" },
        }, Ct);
        await Client.CreateAsync(KubeResources.ConfigMaps, new ConfigMap
        {
            Metadata = new ObjectMeta { Name = "settings", Namespace = Namespace },
            Data = new() { ["level"] = "Debug" },
        }, Ct);
        await Client.CreateAsync(KubeResources.ServiceAccounts, new ServiceAccount { Metadata = new ObjectMeta { Name = "double", Namespace = Namespace } }, Ct);
        await Client.CreateAsync(KubeResources.Roles, new Role
        {
            Metadata = new ObjectMeta { Name = "double", Namespace = Namespace },
            Rules = [new PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get"] }],
        }, Ct);
        await Client.CreateAsync(KubeResources.RoleBindings, new RoleBinding
        {
            Metadata = new ObjectMeta { Name = "double", Namespace = Namespace },
            Subjects = [new Subject { Kind = "ServiceAccount", Name = "double", Namespace = Namespace }],
            RoleRef = new RoleRef { Kind = "Role", Name = "double" },
        }, Ct);
    }

    public async Task<IReadOnlyList<Pod>> PodsAsync(string statefulSet) =>
        (await Client.ListAsync(KubeResources.Pods, Namespace, new ListOptions { LabelSelector = $"app.kubernetes.io/instance={statefulSet}" }, Ct)).Items
            .OrderBy(p => p.Metadata.Name, StringComparer.Ordinal)
            .ToList();

    public static bool IsReady(Pod pod) =>
        pod.Metadata.DeletionTimestamp is null && pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>Waits until the StatefulSet's pods are exactly <paramref name="count"/> and all Ready.</summary>
    public Task<IReadOnlyList<Pod>> ReadyPodsAsync(string statefulSet, int count) =>
        Eventually.UntilAsync(
            async () =>
            {
                var pods = await PodsAsync(statefulSet);
                return pods.Count == count && pods.All(IsReady) ? pods : null;
            },
            Patience,
            $"{count} pods of {statefulSet} are Ready");

    public Task<Pod> PodAsync(string name, Func<Pod, bool> condition, string what) =>
        Eventually.UntilAsync(
            async () => await Client.GetAsync(KubeResources.Pods, Namespace, name, Ct) is { } pod && condition(pod) ? pod : null,
            Patience,
            $"pod {name} {what}");

    public static async Task<Dictionary<string, string>> EnvironmentOfAsync(string address) =>
        (await Http.GetFromJsonAsync<Dictionary<string, string>>(new Uri($"http://{address}:8080/env"), Ct))!;

    public static async Task<string[]> StartsOfAsync(string address) =>
        (await Http.GetStringAsync(new Uri($"http://{address}:8080/starts"), Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        Client.Dispose();
    }
}
