using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Controllers;
using DataCluster.Kube.Informers;
using DataCluster.Kube.Models;
using DataCluster.LocalCluster.ControlPlane;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataCluster.LocalCluster.LocalNode;

/// <summary>
/// Plays kube-scheduler and kubelet for the pods of a test API server that match a label
/// selector, running each pod's containers as local processes on the pod's own loopback
/// address. There is no container runtime: a container whose image is mapped in
/// <see cref="LocalNodeOptions.Images"/> runs as that executable (in practice the agent and the
/// operator, see <see cref="LocalImages"/>); an unmapped container of a member pod (the user's
/// app) gets no process and is reported running and ready, and one of any other pod waits with
/// ErrImageNeverPull (<see cref="LocalNodeOptions.AppPodLabels"/>).
/// </summary>
/// <remarks>
/// <para>
/// What it does, as a kubelet would: registers Ready Nodes with zone and region labels; binds
/// each pending pod to a Node (spread over zones, then nodes); starts its processes with the
/// container's environment resolved (values, downward-API fields, Secret and ConfigMap keys) plus
/// the local stand-ins for what a cluster provides through the network and volumes (see
/// <see cref="LocalNodeOptions.BindAddressVariables"/>, <see cref="PodVolumes"/>,
/// <see cref="ClaimVolumes"/>, <see cref="ServiceAccountKubeconfig"/>); reports pod status
/// (Ready from the readiness probe);
/// restarts exited processes with CrashLoopBackOff; on pod deletion sends SIGTERM, waits up to
/// the grace period, sends SIGKILL and deletes the pod for good.
/// </para>
/// <para>
/// Thread-safe. Pod changes are handled one at a time on one loop, in the order they are
/// queued; stopping a deleted pod's processes runs beside that loop, so a long grace period
/// delays nothing else.
/// </para>
/// </remarks>
public sealed partial class LocalNode : IAsyncDisposable
{
    /// <summary>Ports probed to decide whether a loopback address is taken: the agent's two.</summary>
    private static readonly int[] AddressCheckPorts = [AgentPorts.Client, AgentPorts.Peer];

    /// <summary>
    /// When no Node fits a pod, look again after this long: nodes are fixed, so only a changed
    /// pod (which queues it anyway) could make it fit; this is a slow safety net.
    /// </summary>
    private static readonly TimeSpan UnschedulableRetry = TimeSpan.FromSeconds(10);

    private readonly IKubeClient _client;
    private readonly LocalNodeOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly RunDirectory? _ownRunDirectory;
    private readonly Informer<Pod> _informer;
    private readonly Informer<PersistentVolumeClaim> _claimInformer;
    private readonly ClaimVolumes _claims;
    private readonly WorkQueue<string> _queue = new();
    private readonly LoopbackAddressPool _addresses;
    private readonly HttpClient _probeHttp;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, LocalPod> _pods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Uid, string Node)> _boundHere = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodeNames;
    private readonly Lock _backgroundGate = new();
    private readonly List<Task> _background = [];
    private Task _informerLoop = Task.CompletedTask;
    private Task _claimLoop = Task.CompletedTask;
    private Task _workerLoop = Task.CompletedTask;
    private int _stopped;

    private LocalNode(IKubeClient client, LocalNodeOptions options, ILogger logger, TimeProvider time)
    {
        _client = client;
        _options = options;
        _logger = logger;
        _time = time;
        if (options.RunDirectory is null)
        {
            _ownRunDirectory = ControlPlane.RunDirectory.Create();
            RunDirectory = _ownRunDirectory.Path;
        }
        else
        {
            Directory.CreateDirectory(options.RunDirectory);
            RunDirectory = options.RunDirectory;
        }

        _nodeNames = [.. options.Nodes.Select(n => n.Name)];
        _addresses = new LoopbackAddressPool(options.FirstPodAddress, IsFree);
        // Every probe on a new connection, as a kubelet probes: a restarted process on the same
        // address would otherwise cost one failed probe on a dead pooled connection.
        _probeHttp = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.Zero,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        });
        _probeHttp.DefaultRequestHeaders.ConnectionClose = true;
        _informer = new Informer<Pod>(client, KubeResources.Pods, new InformerOptions { Namespace = options.Namespace, LabelSelector = options.PodSelector }, logger, time);
        // Every claim of the namespace(s), not only those of selected pods: a claim outlives
        // its pods, and its directory must go when it does.
        _claimInformer = new Informer<PersistentVolumeClaim>(client, KubeResources.PersistentVolumeClaims, new InformerOptions { Namespace = options.Namespace }, logger, time);
        _claims = new ClaimVolumes(RunDirectory);
    }

    /// <summary>Where logs, pid files, the pods' volumes and the claims' directories are.</summary>
    public string RunDirectory { get; }

    public IReadOnlyList<LocalNodeDefinition> Nodes => _options.Nodes;

    /// <summary>
    /// Registers the Nodes, starts watching pods and returns once the first list is handled.
    /// </summary>
    /// <param name="client">A client with the rights of a scheduler plus a kubelet (tests use admin).</param>
    public static async Task<LocalNode> StartAsync(
        IKubeClient client, LocalNodeOptions options, ILogger? logger = null, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Nodes.Count == 0)
        {
            throw new ArgumentException("The local node needs at least one Node definition.", nameof(options));
        }

        var node = new LocalNode(client, options, logger ?? NullLogger.Instance, timeProvider ?? TimeProvider.System);
        try
        {
            await NodeRegistrar.RegisterAsync(client, options.Nodes, cancellationToken).ConfigureAwait(false);
            node._informer.AddHandler(
                onAdd: p => node._queue.Add(Key(p)),
                onUpdate: (_, p) => node._queue.Add(Key(p)),
                onDelete: p => node._queue.Add(Key(p)));
            node._claimInformer.AddHandler(onDelete: c => node.Track(Task.Run(() => node.RemoveClaim(c), CancellationToken.None)));
            node._claimLoop = Task.Run(() => node._claimInformer.RunAsync(node._stop.Token), CancellationToken.None);
            await node._claimInformer.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
            node._claims.Sweep(node._claimInformer.List(), options.Namespace);
            node._informerLoop = Task.Run(() => node._informer.RunAsync(node._stop.Token), CancellationToken.None);
            await node._informer.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
            node._workerLoop = Task.Run(() => node.WorkAsync(node._stop.Token), CancellationToken.None);
            node._logger.Started(string.Join(", ", options.Nodes.Select(n => $"{n.Name} ({n.Zone})")), options.PodSelector, node.RunDirectory);
            return node;
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The first process of a pod (the agent's, when only the agent is mapped), or null when the node runs no such pod.</summary>
    public LocalProcessInfo? Process(string @namespace, string pod) =>
        _pods.TryGetValue(Key(@namespace, pod), out var local) ? local.Processes.FirstOrDefault() : null;

    /// <summary>Every process of every pod (optionally of one namespace), ordered by namespace, pod and container.</summary>
    public IReadOnlyList<LocalProcessInfo> Processes(string? @namespace = null) =>
        [.. _pods.Values
            .Where(p => @namespace is null || p.Namespace == @namespace)
            .SelectMany(p => p.Processes)
            .OrderBy(p => p.Namespace, StringComparer.Ordinal)
            .ThenBy(p => p.Pod, StringComparer.Ordinal)
            .ThenBy(p => p.Container, StringComparer.Ordinal)];

    /// <summary>
    /// SIGKILLs a pod's process (of <paramref name="container"/>, or of every mapped container)
    /// as a crash would: the pod stays, turns not Ready, and the process is restarted after the
    /// CrashLoopBackOff delay. Returns the pid that was killed, once it has exited.
    /// </summary>
    /// <exception cref="InvalidOperationException">The node runs no such pod, or no process of it is running (it may be in backoff).</exception>
    public async Task<int> CrashAsync(string @namespace, string pod, string? container = null)
    {
        if (!_pods.TryGetValue(Key(@namespace, pod), out var local) || local.Terminating)
        {
            throw new InvalidOperationException($"The local node runs no pod {@namespace}/{pod}.");
        }

        var killed = await local.CrashAsync(container).ConfigureAwait(false);
        return killed.Count > 0
            ? killed[0]
            : throw new InvalidOperationException($"Pod {@namespace}/{pod} has no running process{(container is null ? "" : $" in container {container}")} to crash (it may be waiting to restart).");
    }

    /// <summary>
    /// The directory standing in for the volume of the claim <paramref name="claim"/> as it
    /// exists now (its uid is part of the name), or null when there is no such claim. The
    /// directory itself is made when a pod first mounts the claim.
    /// </summary>
    public string? ClaimDirectory(string @namespace, string claim) =>
        _claimInformer.Get(@namespace, claim) is { Metadata.Uid: { } uid } ? _claims.DirectoryOf(@namespace, claim, uid) : null;

    /// <summary>Stops watching and SIGKILLs every process. Pods stay in the API as they are. Idempotent.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _queue.ShutDown();
        await IgnoringCancellation(_informerLoop).ConfigureAwait(false);
        await IgnoringCancellation(_claimLoop).ConfigureAwait(false);
        await IgnoringCancellation(_workerLoop).ConfigureAwait(false);
        await Task.WhenAll(_pods.Values.Select(p => p.StopAsync(TimeSpan.Zero))).ConfigureAwait(false);
        Task[] pending;
        lock (_backgroundGate)
        {
            pending = [.. _background];
        }

        await Task.WhenAll(pending.Select(IgnoringCancellation)).ConfigureAwait(false);
        _probeHttp.Dispose();
        _queue.Dispose();
        _stop.Dispose();
        _ownRunDirectory?.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private static string Key(Pod pod) => Key(pod.Metadata.Namespace ?? "", pod.Metadata.Name ?? "");

    private static string Key(string @namespace, string name) => $"{@namespace}/{name}";

    /// <summary>An address is free when nothing listens on the agent's ports there.</summary>
    private static bool IsFree(IPAddress address)
    {
        foreach (var port in AddressCheckPorts)
        {
            try
            {
                var listener = new TcpListener(address, port);
                listener.Start();
                listener.Stop();
            }
            catch (SocketException)
            {
                return false;
            }
        }

        return true;
    }

    private static async Task IgnoringCancellation(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void RemoveClaim(PersistentVolumeClaim claim)
    {
        var ns = claim.Metadata.Namespace ?? "";
        var name = claim.Metadata.Name ?? "";
        var uid = claim.Metadata.Uid ?? "";
        if (_claims.Remove(ns, name, uid))
        {
            _logger.ClaimRemoved(ns, name, _claims.DirectoryOf(ns, name, uid));
        }
    }

    private void Track(Task task)
    {
        lock (_backgroundGate)
        {
            _background.RemoveAll(t => t.IsCompleted);
            _background.Add(task);
        }
    }
}
