using System.Net;
using DataCluster.Agent.Configuration;
using DataCluster.Agent.Tests.Support;
using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.Kube.Discovery;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using DataCluster.Testing;
using DataCluster.Testing.Logging;
using Microsoft.Extensions.Logging;
using Xunit;

namespace DataCluster.Agent.Tests.Integration;

/// <summary>
/// One DataCluster's worth of objects on the real API server, created as the operator would
/// (with the operator's own builders: Leases, assignment ConfigMap, ring EndpointSlice, and the
/// agent's ServiceAccount, Role and RoleBinding), and in-process agents that act as that
/// ServiceAccount, so RBAC applies to every request they make. No operator runs.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    public const string Name = "dc";
    public const int Partitions = 64;

    private readonly ControlPlaneFixture _fixture;
    private readonly List<AgentApp> _agents = [];
    private readonly string _directory = Directory.CreateTempSubdirectory("dc-agents-").FullName;

    private TestCluster(ControlPlaneFixture fixture, string @namespace, KubeClient admin, ResourceType<EndpointSlice> slices)
    {
        _fixture = fixture;
        Namespace = @namespace;
        Admin = admin;
        Slices = slices;
    }

    public string Namespace { get; }

    public KubeClient Admin { get; }

    public ResourceType<EndpointSlice> Slices { get; }

    public IReadOnlyList<AgentApp> Agents => _agents;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The KubeConfig of the agents' ServiceAccount (impersonated by the admin).</summary>
    public KubeConfig AgentConfig => KubeConfig.FromFile(_fixture.KubeconfigPath) with
    {
        ImpersonateUser = $"system:serviceaccount:{Namespace}:{ObjectNames.AgentServiceAccount(Name)}",
        ImpersonateGroups = ["system:serviceaccounts", $"system:serviceaccounts:{Namespace}", "system:authenticated"],
        Namespace = Namespace,
    };

    public static async Task<TestCluster> CreateAsync(ControlPlaneFixture fixture, int members)
    {
        var ns = await fixture.CreateNamespaceAsync("agents");
        var admin = new KubeClient(KubeConfig.FromFile(fixture.KubeconfigPath));
        var slices = await new ApiDiscovery(admin).ResolveAsync(KubeResources.EndpointSlices, Ct);
        var cluster = new TestCluster(fixture, ns, admin, slices);
        await cluster.CreateOperatorObjectsAsync(members);
        return cluster;
    }

    /// <summary>The DataCluster the builders work from (it is never stored; there is no operator).</summary>
    public Operator.Api.DataCluster Resource => new()
    {
        Metadata = new ObjectMeta { Name = Name, Namespace = Namespace, Uid = "00000000-0000-0000-0000-000000000001" },
        Spec = new Operator.Api.DataClusterSpec { Partitions = Partitions },
    };

    /// <summary>Publishes the ring EndpointSlice listing these ordinals (created or replaced).</summary>
    public async Task PublishRingAsync(IEnumerable<int> ordinals, ISet<int>? draining = null)
    {
        var previous = await Admin.GetAsync(Slices, Namespace, ObjectNames.RingEndpointSlice(Name), Ct);
        var facts = ordinals.Select(o => new MemberFacts(
            ObjectNames.Pod(Name, o), o, $"uid-{o}", $"127.0.0.{11 + o}", "node-1", $"zone-{o % 3}",
            PodReady: false, LeaseRenewTime: DateTimeOffset.UtcNow, LeaseDurationSeconds: 6, Draining: draining?.Contains(o) == true)).ToList();
        var built = RingEndpointSliceBuilder.Build(Defaults.Apply(Resource), facts, previous, 0, DateTimeOffset.UtcNow).Slice;
        built.Metadata.OwnerReferences = null;
        if (previous is null)
        {
            await Admin.CreateAsync(Slices, built, Ct);
        }
        else
        {
            built.Metadata.ResourceVersion = previous.Metadata.ResourceVersion;
            await Admin.UpdateAsync(Slices, built, Ct);
        }
    }

    /// <summary>The data directory of the agent of <paramref name="ordinal"/> (its volume claim).</summary>
    public string DataDirectory(int ordinal) => Path.Combine(_directory, $"data-{ordinal}");

    /// <summary>The peer token file the agents read, as the operator's Secret volume provides it.</summary>
    public string PeerTokenFile
    {
        get
        {
            var path = Path.Combine(_directory, "token");
            if (!File.Exists(path))
            {
                File.WriteAllText(path, SecretBuilder.NewToken());
            }

            return path;
        }
    }

    /// <summary>
    /// Builds and starts the agent of <paramref name="ordinal"/> on 127.0.0.1 and free client and
    /// peer ports, with its own data directory, connecting with <paramref name="kube"/> (default
    /// <see cref="AgentConfig"/>), with <paramref name="otlpEndpoint"/> as its
    /// OTEL_EXPORTER_OTLP_ENDPOINT and <paramref name="configuration"/> over the environment's.
    /// Peers find each other by the ports they bound.
    /// </summary>
    public async Task<AgentApp> StartAgentAsync(int ordinal, KubeConfig? kube = null, Uri? otlpEndpoint = null, IReadOnlyDictionary<string, string?>? configuration = null)
    {
        var tokenFile = PeerTokenFile;
        var options = AgentOptionsReader.Read(name => name switch
        {
            AgentEnvironment.ClusterName => Name,
            AgentEnvironment.PodName => ObjectNames.Pod(Name, ordinal),
            AgentEnvironment.PodNamespace => Namespace,
            AgentEnvironment.PodIp => $"127.0.0.{11 + ordinal}",
            AgentEnvironment.BindAddress => "127.0.0.1",
            AgentEnvironment.Partitions => Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            AgentEnvironment.PeerTokenFile => tokenFile,
            AgentEnvironment.DataDirectory => DataDirectory(ordinal),
            _ => null,
        }) with { ClientPort = 0, PeerPort = 0, OtlpEndpoint = otlpEndpoint };
        var log = new TestLogger($"dc-{ordinal} ");
        var app = AgentHost.Build(options, new AgentHostSettings
        {
            Kube = kube ?? AgentConfig,
            Logging = logging => logging.AddProvider(log),
            PeerAddresses = member => _agents.FirstOrDefault(a => a.Node.Context.Options.PodName == member)?.PeerAddress,
            Configuration = configuration,
        });
        await app.Web.StartAsync(Ct);
        _agents.Add(app);
        return app;
    }

    /// <summary>
    /// Simulates kill -9: from now on every request of the agent fails (its connections are gone),
    /// so it cannot release anything; then its loops are stopped.
    /// </summary>
    public static async Task KillAsync(AgentApp agent)
    {
        agent.Client.Dispose();
        await agent.Web.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.Web.StopAsync(CancellationToken.None);
            await agent.DisposeAsync();
        }

        Admin.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task CreateOperatorObjectsAsync(int members)
    {
        var cluster = Resource;
        var sa = AgentRbacBuilder.ServiceAccount(Defaults.Apply(cluster));
        var role = AgentRbacBuilder.Role(Defaults.Apply(cluster), members);
        var binding = AgentRbacBuilder.RoleBinding(Defaults.Apply(cluster));
        var leases = LeaseBuilder.MemberLeases(Defaults.Apply(cluster), members).Append(LeaseBuilder.LeaderLease(Defaults.Apply(cluster))).ToList();
        var map = ConfigMapBuilder.Assignment(Defaults.Apply(cluster));
        foreach (var obj in new KubeObject[] { sa, role, binding, map }.Concat(leases))
        {
            obj.Metadata.OwnerReferences = null;
        }

        await Admin.CreateAsync(KubeResources.ServiceAccounts, sa, Ct);
        await Admin.CreateAsync(KubeResources.Roles, role, Ct);
        await Admin.CreateAsync(KubeResources.RoleBindings, binding, Ct);
        await Admin.CreateAsync(KubeResources.ConfigMaps, map, Ct);
        foreach (var lease in leases)
        {
            await Admin.CreateAsync(KubeResources.Leases, lease, Ct);
        }

        await PublishRingAsync(Enumerable.Range(0, members));
    }
}
