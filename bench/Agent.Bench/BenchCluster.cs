using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.Kube.Discovery;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using DataCluster.LocalCluster;
using DataCluster.LocalCluster.ControlPlane;

namespace DataCluster.Agent.Bench;

/// <summary>
/// One DataCluster's objects on the API server, created with the operator's own builders as
/// tests/Agent.Tests/Integration/TestCluster.cs does (the agents' ServiceAccount, Role and
/// RoleBinding, member and leader Leases, the assignment ConfigMap, the ring EndpointSlice), and
/// published agent processes for its members. No operator runs.
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    public const string Name = "dc";

    private readonly LocalControlPlane _plane;
    private readonly KubeClient _admin;
    private readonly string _binary;
    private readonly int _partitions;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly List<AgentProcess> _agents = [];

    private BenchCluster(LocalControlPlane plane, KubeClient admin, string @namespace, string binary, int partitions, IReadOnlyDictionary<string, string> environment)
    {
        _plane = plane;
        _admin = admin;
        Namespace = @namespace;
        _binary = binary;
        _partitions = partitions;
        _environment = environment;
    }

    public string Namespace { get; }

    public IReadOnlyList<AgentProcess> Agents => _agents;

    /// <summary>Creates the objects of a cluster of <paramref name="members"/> in a new namespace.</summary>
    public static async Task<BenchCluster> CreateAsync(LocalControlPlane plane, string binary, int members, int partitions, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var ns = await plane.CreateNamespaceAsync("bench", cancellationToken).ConfigureAwait(false);
        var admin = new KubeClient(KubeConfig.FromFile(plane.KubeconfigPath));
        var cluster = new BenchCluster(plane, admin, ns, binary, partitions, environment);
        var defaulted = Defaults.Apply(new Operator.Api.DataCluster
        {
            Metadata = new ObjectMeta { Name = Name, Namespace = ns, Uid = "00000000-0000-0000-0000-000000000001" },
            Spec = new DataClusterSpec { Partitions = partitions },
        });
        var objects = new List<(Func<Task> Create, KubeObject Object)>();
        var sa = AgentRbacBuilder.ServiceAccount(defaulted);
        var role = AgentRbacBuilder.Role(defaulted, members);
        var binding = AgentRbacBuilder.RoleBinding(defaulted);
        var map = ConfigMapBuilder.Assignment(defaulted);
        var leases = LeaseBuilder.MemberLeases(defaulted, members).Append(LeaseBuilder.LeaderLease(defaulted)).ToList();
        foreach (var obj in new KubeObject[] { sa, role, binding, map }.Concat(leases))
        {
            obj.Metadata.OwnerReferences = null;
        }

        await admin.CreateAsync(KubeResources.ServiceAccounts, sa, cancellationToken).ConfigureAwait(false);
        await admin.CreateAsync(KubeResources.Roles, role, cancellationToken).ConfigureAwait(false);
        await admin.CreateAsync(KubeResources.RoleBindings, binding, cancellationToken).ConfigureAwait(false);
        await admin.CreateAsync(KubeResources.ConfigMaps, map, cancellationToken).ConfigureAwait(false);
        foreach (var lease in leases)
        {
            await admin.CreateAsync(KubeResources.Leases, lease, cancellationToken).ConfigureAwait(false);
        }

        var slices = await new ApiDiscovery(admin).ResolveAsync(KubeResources.EndpointSlices, cancellationToken).ConfigureAwait(false);
        var facts = Enumerable.Range(0, members).Select(o => new MemberFacts(
            ObjectNames.Pod(Name, o), o, $"uid-{o}", PodIp(o), "node-1", $"zone-{o % 3}",
            PodReady: false, LeaseRenewTime: DateTimeOffset.UtcNow, LeaseDurationSeconds: 6, Draining: false)).ToList();
        var slice = RingEndpointSliceBuilder.Build(defaulted, facts, null, 0, DateTimeOffset.UtcNow).Slice;
        slice.Metadata.OwnerReferences = null;
        await admin.CreateAsync(slices, slice, cancellationToken).ConfigureAwait(false);
        return cluster;
    }

    /// <summary>
    /// Starts the published agent of every member at once, each as the operator's pod would run
    /// it: bound to its own address (127.0.0.11, .12, ...) with a shared peer port, its own data
    /// directory for its partition logs, the cluster's peer token file, and the runtime settings
    /// of <see cref="AgentRuntimeEnvironment"/> (a --env or --trial variable overrides them).
    /// </summary>
    public void StartAgents(int members)
    {
        var kubeconfig = _plane.WriteKubeconfig("admin", Namespace);
        var directory = Path.Combine(_plane.RunDirectory, Namespace);
        Directory.CreateDirectory(directory);
        var tokenFile = Path.Combine(directory, "peer-token");
        File.WriteAllText(tokenFile, SecretBuilder.NewToken());
        var peerPort = FreePort.OnLoopback().ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var ordinal = 0; ordinal < members; ordinal++)
        {
            var port = FreePort.OnLoopback();
            var pod = ObjectNames.Pod(Name, ordinal);
            // The runtime settings the operator's container carries, unless the run overrides them.
            var environment = new Dictionary<string, string>(AgentRuntimeEnvironment.All);
            foreach (var (name, value) in _environment)
            {
                environment[name] = value;
            }

            var agentEnvironment = new Dictionary<string, string>
            {
                [AgentEnvironment.ClusterName] = Name,
                [AgentEnvironment.PodName] = pod,
                [AgentEnvironment.PodNamespace] = Namespace,
                [AgentEnvironment.PodIp] = PodIp(ordinal),
                [AgentEnvironment.BindAddress] = PodIp(ordinal),
                [AgentEnvironment.ClientPort] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [AgentEnvironment.PeerPort] = peerPort,
                [AgentEnvironment.PeerTokenFile] = tokenFile,
                [AgentEnvironment.DataDirectory] = Path.Combine(directory, pod),
                [AgentEnvironment.Partitions] = _partitions.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [AgentEnvironment.LogFormat] = "json",
                ["KUBECONFIG"] = kubeconfig,
            };
            foreach (var (name, value) in agentEnvironment)
            {
                environment[name] = value;
            }

            var process = ChildProcess.Start($"{Namespace}-agent-{ordinal}", _binary, [], _plane.RunDirectory, environment);
            _agents.Add(new AgentProcess(pod, process, new Uri($"http://{PodIp(ordinal)}:{port}")));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync().ConfigureAwait(false);
        }

        _admin.Dispose();
    }

    private static string PodIp(int ordinal) => $"127.0.0.{11 + ordinal}";
}
