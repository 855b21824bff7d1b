using System.Net;
using System.Net.Sockets;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.Kube.Models;
using DataCluster.LocalCluster;
using DataCluster.Operator.Crd;
using DataCluster.Operator.Hosting;
using DataCluster.Operator.Rbac;
using DataCluster.Testing;
using DataCluster.LocalCluster.ControlPlane;
using DataCluster.Testing.Logging;
using Microsoft.Extensions.Logging;
using Xunit;

namespace DataCluster.Operator.Tests.Integration;

/// <summary>
/// A real kube-apiserver and kube-controller-manager with the DataCluster CRD installed, three
/// Nodes in two regions, and the operator running in-process (the same composition root as the
/// real process) as the token user "operator", bound to <see cref="OperatorRbacBuilder.ClusterRole"/>
/// and nothing else, so every test also proves the operator's RBAC.
/// </summary>
public sealed class OperatorFixture : ControlPlaneWithControllersFixture, IAsyncLifetime
{
    /// <summary>The nodes the simulated kubelet binds pods to: name, zone, region.</summary>
    public static readonly IReadOnlyList<(string Name, string Zone, string Region)> Nodes =
    [
        ("node-a", "zone-a", "region-1"),
        ("node-b", "zone-b", "region-1"),
        ("node-c", "zone-c", "region-2"),
    ];

    public const string AgentImage = "registry.test/datacluster-agent:test";

    private TestLogger? _log;
    private KubeClient? _admin;

    /// <summary>An admin client (system:masters).</summary>
    public KubeClient Admin => _admin ?? throw new InvalidOperationException("The fixture did not start.");

    /// <summary>EndpointSlices in the version the server serves.</summary>
    public ResourceType<EndpointSlice> Slices { get; private set; } = KubeResources.EndpointSlices;

    /// <summary>PodDisruptionBudgets in the version the server serves.</summary>
    public ResourceType<PodDisruptionBudget> Budgets { get; private set; } = KubeResources.PodDisruptionBudgets;

    /// <summary>The namespace of the operator's leader-election Lease.</summary>
    public string OperatorNamespace { get; private set; } = "";

    /// <summary>The operator replica currently running, if any.</summary>
    public OperatorInstance? Operator { get; private set; }

    /// <summary>The operator's recent log lines, for failure messages.</summary>
    public string OperatorLogTail => _log?.Tail() ?? "";

    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        if (!IsAvailable)
        {
            return;
        }

        var ct = CancellationToken.None;
        _admin = new KubeClient(KubeConfig.FromFile(KubeconfigPath));
        _log = new TestLogger(file: Path.Combine(Plane.RunDirectory, "operator.log"));
        var discovery = new Kube.Discovery.ApiDiscovery(Admin);
        Slices = await discovery.ResolveAsync(KubeResources.EndpointSlices, ct);
        Budgets = await discovery.ResolveAsync(KubeResources.PodDisruptionBudgets, ct);

        var crd = await Admin.CreateAsync(KubeResources.CustomResourceDefinitions, CrdGenerator.Generate(), ct);
        await Eventually.UntilAsync(async () =>
        {
            var current = await Admin.GetAsync(KubeResources.CustomResourceDefinitions, null, crd.Metadata.Name!, ct);
            return current?.Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true;
        }, TimeSpan.FromSeconds(60), "the DataCluster CRD is established");

        await Admin.CreateAsync(KubeResources.ClusterRoles, OperatorRbacBuilder.ClusterRole(), ct);
        await Admin.CreateAsync(KubeResources.ClusterRoleBindings, OperatorRbacBuilder.ClusterRoleBinding(
            new Subject { Kind = "User", ApiGroup = "rbac.authorization.k8s.io", Name = "operator" }), ct);

        foreach (var (name, zone, region) in Nodes)
        {
            await Admin.CreateAsync(KubeResources.Nodes, new Node
            {
                Metadata = new ObjectMeta
                {
                    Name = name,
                    Labels = new Dictionary<string, string>
                    {
                        ["kubernetes.io/hostname"] = name,
                        ["topology.kubernetes.io/zone"] = zone,
                        ["topology.kubernetes.io/region"] = region,
                    },
                },
            }, ct);
        }

        OperatorNamespace = await Plane.CreateNamespaceAsync("operator", ct);
        Operator = await StartOperatorAsync("operator-a");
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        if (Operator is not null)
        {
            await Operator.DisposeAsync();
            Operator = null;
        }

        _admin?.Dispose();
        _log?.Dispose();
        await DisposeAsync();
    }

    /// <summary>True when the control plane runs (else tests skip through <see cref="ControlPlaneFixture.RequireControlPlane"/>).</summary>
    public bool IsAvailable => EnvtestAssets.TryLocate(out _, out _);

    /// <summary>
    /// Starts an operator replica as the user "operator" with leader election on, metrics and
    /// probes on free loopback ports, and waits until it reports ready (leading with synced
    /// caches, or standing by).
    /// </summary>
    public async Task<OperatorInstance> StartOperatorAsync(string identity, bool waitForLeadership = true)
    {
        var options = new OperatorOptions
        {
            Identity = identity,
            LeaderElect = true,
            LeaderElectionNamespace = OperatorNamespace,
            MetricsBindAddress = new BindAddress(IPAddress.Loopback, FreePort.OnLoopback()),
            HealthProbeBindAddress = new BindAddress(IPAddress.Loopback, FreePort.OnLoopback()),
            AgentImage = AgentImage,
        };
        var config = KubeConfig.FromFile(KubeconfigPath) with { Token = TokenFor("operator") };
        var app = OperatorHost.Build(options, new OperatorHostOverrides
        {
            KubeConfig = config,
            ConfigureLogging = logging => logging.AddProvider(new PrefixedProvider(_log!, identity)),
        });
        var instance = new OperatorInstance(identity, app, options);
        await app.StartAsync(CancellationToken.None);
        if (waitForLeadership)
        {
            await Eventually.UntilAsync(() => instance.IsLeadingWithSyncedCaches, TimeSpan.FromSeconds(60), $"operator {identity} leads with synced caches", () => OperatorLogTail);
        }

        return instance;
    }

    /// <summary>Stops the running replica (it releases its Lease) and starts a fresh one: an operator restart.</summary>
    public async Task<OperatorInstance> RestartOperatorAsync(string identity)
    {
        if (Operator is not null)
        {
            await Operator.DisposeAsync();
        }

        Operator = await StartOperatorAsync(identity);
        return Operator;
    }

    /// <summary>
    /// Skips without a control plane, like <see cref="ControlPlaneFixture.RequireControlPlane"/>,
    /// and hands the test a replica that leads with synced caches. A test that failed half-way
    /// through a failover can leave the collection's replica stopped or deposed, which would fail
    /// every later test for a reason of its own; such a replica is replaced by a fresh one (as a
    /// kubelet restarts the process) and the replacement is written to the test's output.
    /// </summary>
    public async Task RequireOperatorAsync()
    {
        RequireControlPlane();
        var current = Operator;
        if (current is not null
            && await Eventually.HoldsWithinAsync(() => current.IsStopping || current.State.LostLeadership || current.IsLeadingWithSyncedCaches, TimeSpan.FromSeconds(20))
            && !current.IsStopping && !current.State.LostLeadership)
        {
            return;
        }

        var why = current is null ? "no replica runs"
            : current.IsStopping ? $"replica {current.Identity} was stopped"
            : current.State.LostLeadership ? $"replica {current.Identity} lost its Lease"
            : $"replica {current.Identity} has not led with synced caches for 20 s";
        TestContext.Current.TestOutputHelper?.WriteLine($"An earlier test left the operator unusable ({why}); starting a fresh replica.");
        _log?.CreateLogger("fixture").LogWarning("An earlier test left the operator unusable ({Why}); starting a fresh replica", why);
        await RestartOperatorAsync($"operator-{Guid.NewGuid().ToString("N")[..6]}");
    }

    /// <summary>Makes <paramref name="instance"/> the fixture's current replica (after a failover).</summary>
    public void Adopt(OperatorInstance instance) => Operator = instance;

    /// <summary>Writes of the operator's user recorded by the audit log, optionally in one namespace (cluster-scoped ones included).</summary>
    public IReadOnlyList<AuditEvent> OperatorWrites(string? @namespace = null, DateTimeOffset? since = null) =>
        [.. AuditLog.Read(Plane.AuditLogPath).Where(e => e.User == "operator" && e.IsWrite
            && (@namespace is null || e.Namespace == @namespace || e.Namespace.Length == 0)
            && (since is null || e.Time >= since))];

    /// <summary>A client for the given kubeconfig user.</summary>
    public KubeClient ClientFor(string user) => new(KubeConfig.FromFile(KubeconfigPath) with { Token = TokenFor(user) });


    /// <summary>Marks each line with the replica that wrote it.</summary>
    private sealed class PrefixedProvider(TestLogger log, string identity) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => log.CreateLogger($"{identity} {categoryName}");

        public void Dispose()
        {
        }
    }
}
