using System.Collections.Concurrent;
using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Controllers;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataCluster.Operator.Controllers;

/// <summary>
/// Reconciles one DataCluster: validates it, converges every object it owns toward what the
/// builders say (writing only what differs), publishes ring membership, scales without losing
/// data, and reports status and Events. Level-based: each call reads the whole state from the
/// informer caches, whatever triggered it.
/// </summary>
/// <remarks>
/// <para>
/// The phases live in partial files: <c>.Objects.cs</c> (identity, Services, Leases, ConfigMap,
/// PodDisruptionBudget, volume claims), <c>.Ring.cs</c> (member facts and the ring
/// EndpointSlice), <c>.Scale.cs</c> (StatefulSet and draining), <c>.Status.cs</c> (status,
/// condition Events, when to look again) and <c>.Invalid.cs</c>.
/// </para>
/// <para>
/// Reads come from <see cref="IClusterCaches"/>; writes go to <see cref="IKubeWriter"/> and
/// <see cref="IKubeStatusWriter"/>; <see cref="IKubeReader"/> serves only the two reads that must
/// go past the caches (the peer-token Secret, and an owned object the caches do not hold).
/// </para>
/// <para>
/// The reconciler keeps no copies of its own writes. It must see them, though: a status write
/// the DataCluster cache has not delivered yet would restart a drain, and a slice it has not
/// delivered would let a second membership go out under one epoch. The caches it is given must
/// therefore read its writes: the operator wraps the informers in
/// <see cref="ReadYourWritesClusterCaches"/> and the writers in <see cref="RecordingKubeWriter"/>,
/// sharing one <see cref="WrittenObjects"/>. With that, a converged cluster costs no writes
/// while the informers lag.
/// </para>
/// <para>
/// Thread-safe across clusters; the controller never reconciles one cluster on two workers at
/// once.
/// </para>
/// </remarks>
public sealed partial class DataClusterReconciler : IReconciler
{
    /// <summary>The field manager of every server-side apply, and the Events' reporting component.</summary>
    public const string FieldManager = LabelKeys.OperatorName;

    /// <summary>
    /// Past an expiry before looking again: freshness is strict (now &lt; expiry) and timers may
    /// fire a little early; 50 ms is far below anything a lease duration of seconds can notice.
    /// </summary>
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// While a same-named object of a deleted predecessor waits for the garbage collector, look
    /// again this often: the collector usually removes it within seconds.
    /// </summary>
    private static readonly TimeSpan WaitForCollector = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How soon a pod template that admission refused is sent as a dry run again: the namespace's
    /// policy may change without the spec. Ten seconds costs one dry-run create per refused
    /// cluster in that time, and a fixed LimitRange takes effect within it.
    /// </summary>
    private static readonly TimeSpan AdmissionRecheck = TimeSpan.FromSeconds(10);

    private readonly IClusterCaches _caches;
    private readonly IKubeReader _server;
    private readonly IKubeWriter _writer;
    private readonly IKubeStatusWriter _statusWriter;
    private readonly IEventRecorder _events;
    private readonly LeaseObserver _leases;
    private readonly BuilderOptions _builderOptions;
    private readonly ObjectApplier _applier;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // What follows is memory about the clusters, not about this process's writes (read-your-writes
    // is the caches' business, see the class remarks). Each is dropped when the cluster is gone.

    // The uid of each cluster seen, so its Events can be forgotten once the DataCluster has left
    // the cache and its uid can no longer be read.
    private readonly ConcurrentDictionary<ReconcileRequest, string> _uids = new();

    // The decoded assignment per ConfigMap, with the resourceVersion it was decoded from: decoding
    // costs O(partitions × factor) and the ConfigMap changes far less often than reconciles run.
    private readonly ConcurrentDictionary<string, (string? ResourceVersion, PublishedAssignment Value)> _assignments = new(StringComparer.Ordinal);

    // Leases and ConfigMaps that exist without our labels, so the cache never shows them: without
    // this, every reconcile would try to create them again.
    private readonly ConcurrentDictionary<string, bool> _knownToExist = new(StringComparer.Ordinal);

    /// <summary>
    /// Per cluster (namespace/name), the last pod template sent as a dry run, the problem the API
    /// server found in it (null when it took it), and when to ask again (admission refusals only);
    /// see <see cref="CheckPodTemplateAsync"/>.
    /// </summary>
    private readonly ConcurrentDictionary<string, (string Template, ValidationProblem? Problem, DateTimeOffset? AskAgainAt)> _checkedTemplates = new(StringComparer.Ordinal);

    /// <param name="caches">Where reads come from.</param>
    /// <param name="server">
    /// The two reads that must go past the caches: the peer-token Secret when the cache misses it,
    /// and the look-up of an owned object the cache does not hold before applying it.
    /// </param>
    /// <param name="writer">Where object writes go.</param>
    /// <param name="statusWriter">Where the DataCluster's status writes go.</param>
    /// <param name="events">Records Events on the DataClusters.</param>
    /// <param name="leases">Observed renewal times of the member and leader Leases (a handler of the Lease informer).</param>
    /// <param name="builderOptions">The operator's default agent image.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">The reconciler's logger.</param>
    public DataClusterReconciler(
        IClusterCaches caches,
        IKubeReader server,
        IKubeWriter writer,
        IKubeStatusWriter statusWriter,
        IEventRecorder events,
        LeaseObserver leases,
        BuilderOptions builderOptions,
        TimeProvider? timeProvider = null,
        ILogger? logger = null)
    {
        _caches = caches ?? throw new ArgumentNullException(nameof(caches));
        _server = server ?? throw new ArgumentNullException(nameof(server));
        _writer = writer ?? throw new ArgumentNullException(nameof(writer));
        _statusWriter = statusWriter ?? throw new ArgumentNullException(nameof(statusWriter));
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _leases = leases ?? throw new ArgumentNullException(nameof(leases));
        _builderOptions = builderOptions ?? throw new ArgumentNullException(nameof(builderOptions));
        _applier = new ObjectApplier(server, writer, FieldManager);
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var cluster = _caches.DataClusters.Get(request.Namespace, request.Name);
        if (cluster is null)
        {
            Forget(request);
            return ReconcileResult.Done;
        }

        // Deleted: the garbage collector removes everything it owns (volume claims included,
        // through the owner references added to them), so there is nothing to finalize.
        if (cluster.Metadata.DeletionTimestamp is not null || string.IsNullOrEmpty(cluster.Metadata.Uid))
        {
            return ReconcileResult.Done;
        }

        _uids[request] = cluster.Metadata.Uid;
        var context = new ClusterContext(request, cluster, _time.GetUtcNow())
        {
            StatefulSet = _caches.StatefulSets.Get(request.Namespace, ObjectNames.StatefulSet(request.Name)),
        };
        context.Pods = MemberPods(context);
        context.Assignment = ReadAssignment(context);

        var problems = Validation.Validate(context.Defaulted, _builderOptions.DefaultAgentImage);
        if (problems.Count > 0)
        {
            return await ReconcileInvalidAsync(context, problems, cancellationToken).ConfigureAwait(false);
        }

        // The identity comes first: the API server admits a pod only once its service account exists.
        await EnsureIdentityAsync(context, cancellationToken).ConfigureAwait(false);
        var statefulSet = StatefulSetBuilder.Build(context.Defaulted, _builderOptions);
        if (await CheckPodTemplateAsync(context, statefulSet, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return await ReconcileInvalidAsync(context, [refused], cancellationToken).ConfigureAwait(false);
        }

        _events.Forget(context.Uid, EventReasons.InvalidSpec);
        await EnsureServicesAsync(context, cancellationToken).ConfigureAwait(false);
        await EnsureCoordinationAsync(context, cancellationToken).ConfigureAwait(false);
        var ring = await PublishRingAsync(context, cancellationToken).ConfigureAwait(false);
        var scale = await ScaleAsync(context, ring, statefulSet, cancellationToken).ConfigureAwait(false);
        await EnsureDisruptionBudgetAsync(context, cancellationToken).ConfigureAwait(false);
        await OwnVolumeClaimsAsync(context, cancellationToken).ConfigureAwait(false);
        var status = await WriteStatusAsync(context, new StatusInput
        {
            Cluster = context.Defaulted,
            StatefulSet = scale.StatefulSet,
            Members = context.Facts,
            MembershipEpoch = ring.Epoch,
            Assignment = context.Assignment.Summary,
            LeaderLease = ObservedLeaderLease(context),
            Problems = [],
            Drain = scale.Drain,
            IgnoredChanges = context.IgnoredChanges,
            Now = context.Now,
        }, cancellationToken).ConfigureAwait(false);

        return NextLook(context, status, ring.NextLeaseExpiry, scale.Drain);
    }

    /// <summary>Drops what was remembered about a cluster that is gone.</summary>
    private void Forget(ReconcileRequest request)
    {
        if (_uids.TryRemove(request, out var uid))
        {
            _events.Forget(uid);
        }

        _applier.Forget(request.Namespace, request.Name);
        _assignments.TryRemove($"{request.Namespace}/{ObjectNames.AssignmentConfigMap(request.Name)}", out _);
        _checkedTemplates.TryRemove($"{request.Namespace}/{request.Name}", out _);
        foreach (var key in _knownToExist.Keys.Where(k => k.StartsWith($"{request.Namespace}/{request.Name}-", StringComparison.Ordinal)))
        {
            _knownToExist.TryRemove(key, out _);
        }
    }

    /// <summary>The cluster's pods: those its StatefulSet controls, with a member ordinal.</summary>
    private List<Pod> MemberPods(ClusterContext context)
    {
        var name = context.Name;
        return
        [
            .. _caches.Pods.List(context.Namespace, $"{LabelKeys.Cluster}={name}")
                .Where(p => Controller.ControllerOwner(p, "apps", "StatefulSet") == ObjectNames.StatefulSet(name)
                    && ObjectNames.OrdinalOf(name, p.Metadata.Name ?? "") >= 0)
                .OrderBy(p => ObjectNames.OrdinalOf(name, p.Metadata.Name!)),
        ];
    }

    /// <summary>The published assignment, decoded once per ConfigMap version.</summary>
    private PublishedAssignment ReadAssignment(ClusterContext context)
    {
        var name = ObjectNames.AssignmentConfigMap(context.Name);
        var configMap = _caches.ConfigMaps.Get(context.Namespace, name);
        if (configMap is null)
        {
            return PublishedAssignment.None;
        }

        var key = $"{context.Namespace}/{name}";
        if (_assignments.TryGetValue(key, out var cached) && cached.ResourceVersion == configMap.Metadata.ResourceVersion)
        {
            return cached.Value;
        }

        var read = PublishedAssignment.Read(configMap);
        _assignments[key] = (configMap.Metadata.ResourceVersion, read);
        return read;
    }

    /// <summary>What one reconcile of one cluster has read and decided so far.</summary>
    private sealed class ClusterContext(ReconcileRequest request, Api.DataCluster cluster, DateTimeOffset now)
    {
        public ReconcileRequest Request { get; } = request;

        /// <summary>The DataCluster as cached (read-only).</summary>
        public Api.DataCluster Cluster { get; } = cluster;

        /// <summary>A defaulted copy of <see cref="Cluster"/>, what the builders take.</summary>
        public DefaultedCluster Defaulted { get; } = Defaults.Apply(cluster);

        public DateTimeOffset Now { get; } = now;

        public string Name => Request.Name;

        public string Namespace => Request.Namespace;

        public string Uid => Cluster.Metadata.Uid!;

        public StatefulSet? StatefulSet { get; init; }

        public List<Pod> Pods { get; set; } = [];

        public PublishedAssignment Assignment { get; set; } = PublishedAssignment.None;

        public List<MemberFacts> Facts { get; set; } = [];

        /// <summary>Sentences for the Valid condition about spec changes the StatefulSet cannot take.</summary>
        public List<string> IgnoredChanges { get; } = [];

        /// <summary>Set when an owned object's name is held by a predecessor the garbage collector has yet to remove.</summary>
        public bool WaitingForCollector { get; set; }

        /// <summary>
        /// When admission refused the pod template: when to send it as a dry run again (the
        /// namespace's policy may change, which no watch of ours sees).
        /// </summary>
        public DateTimeOffset? TemplateRecheckAt { get; set; }

        public ObjectReference Reference => EventRecorder.ReferenceTo(Cluster, DataClusterApi.ApiVersion, DataClusterApi.Kind);
    }
}
