using DataCluster.Agent.Assignments;
using DataCluster.Agent.Configuration;
using DataCluster.Agent.Leadership;
using DataCluster.Agent.Membership;
using DataCluster.Agent.Observability;
using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Discovery;
using DataCluster.Kube.Election;
using DataCluster.Kube.Informers;
using DataCluster.Kube.Models;
using DataCluster.Kube.Watch;
using DataCluster.Ring;
using DataCluster.Storage;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Hosting;

/// <summary>
/// The agent's control plane against the API server: the member Lease heartbeat, informers on
/// the ring EndpointSlice and the assignment ConfigMap (each selected by name, as the agent's
/// Role requires), and the campaign for cluster leader whose winner runs
/// <see cref="LeaderDuties"/>. Everything it learns is in <see cref="Context"/>.
/// </summary>
/// <remarks>
/// <see cref="RunAsync"/> runs once. Cancelling it stops leading (releasing the leader Lease),
/// stops the heartbeat (the member Lease is left to expire) and stops the informers.
/// </remarks>
public sealed class AgentNode
{
    private readonly AgentOptions _options;
    private readonly IKubeClient _client;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly MemberHeartbeat _heartbeat;
    private readonly ClusterLeadership _leadership;
    private readonly AssignmentPublisher _publisher;

    private readonly DataPlane.DataPlane? _data;
    private readonly Delivery.AppDelivery? _delivery;

    /// <param name="options">The agent's configuration.</param>
    /// <param name="client">The API-server client.</param>
    /// <param name="metrics">The control plane's metrics.</param>
    /// <param name="loggers">Loggers.</param>
    /// <param name="time">The clock; null = the system clock.</param>
    /// <param name="data">The data plane to run beside the control plane and feed with assignments; null runs the control plane alone.</param>
    /// <param name="delivery">Push delivery of the data plane's committed events to the app; null when the app pulls.</param>
    public AgentNode(AgentOptions options, IKubeClient client, AgentMetrics metrics, ILoggerFactory loggers, TimeProvider? time = null, DataPlane.DataPlane? data = null, Delivery.AppDelivery? delivery = null)
    {
        _data = data;
        _delivery = delivery;
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _client = client ?? throw new ArgumentNullException(nameof(client));
        ArgumentNullException.ThrowIfNull(metrics);
        _loggers = loggers ?? throw new ArgumentNullException(nameof(loggers));
        _time = time ?? TimeProvider.System;
        _logger = loggers.CreateLogger("DataCluster.Agent");
        var ns = options.Namespace;
        var cluster = options.ClusterName;

        var ring = new RingView(cluster);
        var state = new AssignmentState(options.PodName, options.Partitions, $"{ns}/{ObjectNames.AssignmentConfigMap(cluster)}", metrics, loggers.CreateLogger("DataCluster.Agent.Assignments"));
        _heartbeat = new MemberHeartbeat(
            new KubeLeaseStore(client, ns, ObjectNames.MemberLease(cluster, options.Ordinal)),
            options.PodName, options.LeaseDuration, options.RenewInterval, metrics, loggers.CreateLogger("DataCluster.Agent.Heartbeat"), _time);
        _publisher = new AssignmentPublisher(
            new KubeAssignmentStore(client, ns, ObjectNames.AssignmentConfigMap(cluster)),
            state,
            new AssignmentSettings(options.Partitions, options.ReplicationFactor, options.OtherZoneReplicas, options.OtherRegionReplicas),
            options.PodName, metrics, loggers.CreateLogger("DataCluster.Agent.Publisher"));
        _leadership = new ClusterLeadership(
            new KubeLeaseStore(client, ns, ObjectNames.LeaderLease(cluster)), ns, ObjectNames.LeaderLease(cluster),
            options.PodName, options.LeaseDuration, options.RenewInterval, LeadAsync, metrics, loggers.CreateLogger("DataCluster.Agent.Leadership"), _time);
        Context = new AgentContext
        {
            Options = options,
            Ring = ring,
            Assignments = state,
            Heartbeat = _heartbeat,
            Leadership = _leadership,
            Metrics = metrics,
            Data = data,
        };
    }

    /// <summary>Raised when a part the agent cannot work without failed (the data plane's logs); the host stops the process.</summary>
    public event Action<Exception>? Fatal;

    /// <summary>What the agent knows, for the HTTP API.</summary>
    public AgentContext Context { get; }

    /// <summary>The leader duties of the current term, or null when not leading (for tests and diagnostics).</summary>
    public LeaderDuties? Duties { get; private set; }

    /// <summary>Runs until cancelled; see the class remarks for what stopping does.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var metrics = Context.Metrics;
        var dataPlane = RunDataPlaneAsync(cancellationToken);
        if (_delivery is { } delivery)
        {
            dataPlane = Task.WhenAll(dataPlane, delivery.RunAsync(cancellationToken));
        }
        var heartbeating = _heartbeat.RunAsync(cancellationToken);
        var slices = await ResolveEndpointSlicesAsync(cancellationToken).ConfigureAwait(false);
        if (slices is null)
        {
            await Task.WhenAll(heartbeating, dataPlane).ConfigureAwait(false);
            return;
        }

        var sliceInformer = InformerOn(slices, ObjectNames.RingEndpointSlice(_options.ClusterName), "endpointslices", "DataCluster.Agent.Ring");
        sliceInformer.AddHandler(
            onAdd: slice => UpdateRing(slice),
            onUpdate: (_, slice) => UpdateRing(slice),
            onDelete: _ => UpdateRing(null));

        var mapInformer = InformerOn(KubeResources.ConfigMaps, ObjectNames.AssignmentConfigMap(_options.ClusterName), "configmaps", "DataCluster.Agent.Assignments");
        mapInformer.AddHandler(
            onAdd: map => Context.Assignments.Observe(map.Data),
            onUpdate: (_, map) => Context.Assignments.Observe(map.Data),
            onDelete: _ => Context.Assignments.Observe(null));

        // The leader Lease, watched: a candidate then sees each renewal as it is written and
        // takes over as soon as the Lease lapses, not up to a retry period later (ClusterLeadership).
        var leaderInformer = InformerOn(KubeResources.Leases, ObjectNames.LeaderLease(_options.ClusterName), "leases", "DataCluster.Agent.Leadership");
        leaderInformer.AddHandler(
            onAdd: _leadership.Observe,
            onUpdate: (_, lease) => _leadership.Observe(lease),
            onDelete: _ => _leadership.Observe(null));

        var informing = Task.WhenAll(sliceInformer.RunAsync(cancellationToken), mapInformer.RunAsync(cancellationToken), leaderInformer.RunAsync(cancellationToken));
        try
        {
            // Campaign only with the ring and the published assignment in hand, so a new leader
            // never publishes from a partial picture.
            await Task.WhenAll(sliceInformer.WaitForSyncAsync(cancellationToken), mapInformer.WaitForSyncAsync(cancellationToken)).ConfigureAwait(false);
            AgentLog.CaughtUp(_logger, _options.PodName, Context.Ring.Current.MembershipEpoch ?? 0, Context.Assignments.Current?.Assignment.Epoch ?? 0);
            await _leadership.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await Task.WhenAll(informing, heartbeating, dataPlane).ConfigureAwait(false);
            Context.Assignments.CompleteSubscribers();
        }

        void UpdateRing(EndpointSlice? slice)
        {
            Context.Ring.Update(slice);
            metrics.MembershipEpoch.Set(Context.Ring.Current.MembershipEpoch ?? 0);
        }

        // An informer on the one object of this cluster named so; its restarts are counted by resource.
        Informer<T> InformerOn<T>(ResourceType<T> type, string name, string resource, string logCategory)
            where T : class, IKubernetesObject => new(_client, type, new InformerOptions
            {
                Namespace = _options.Namespace,
                FieldSelector = $"metadata.name={name}",
                OnRestart = _ => metrics.WatchRestarts.Inc(resource),
            }, _loggers.CreateLogger(logCategory), _time);
    }

    /// <summary>
    /// The planned handoff of a stopping member (see <see cref="LeadershipHandoff"/>): marks the
    /// member Lease leaving, then waits, at most <paramref name="grace"/>, until the partitions this
    /// member led follow new leaders that take writes. Call while <see cref="RunAsync"/> still
    /// runs; cancel <see cref="RunAsync"/> afterwards to stop (that releases the cluster
    /// leadership, if held, so the next cluster leader need not wait for the Lease to lapse).
    /// </summary>
    public Task<HandoffResult> HandOffAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        var handoff = new LeadershipHandoff(
            _options.PodName,
            () => Context.Assignments.Current?.Assignment,
            () => _data is { IsRunning: true } data ? data.Statuses : null,
            _heartbeat.AnnounceLeavingAsync,
            _logger,
            _time);
        return handoff.RunAsync(grace, cancellationToken);
    }

    /// <summary>Runs the data plane, if any, and hands it every newer assignment this agent loads.</summary>
    private async Task RunDataPlaneAsync(CancellationToken cancellationToken)
    {
        if (_data is not { } data)
        {
            return;
        }

        var state = Context.Assignments;
        void Feed()
        {
            if (state.Current is { } view)
            {
                data.OnAssignment(view.Assignment);
            }
        }

        state.Observed += Feed;
        try
        {
            var running = data.RunAsync(cancellationToken);
            Feed();
            await running.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or LogCorruptedException)
        {
            // The logs cannot be opened or written: this member cannot serve its partitions, and
            // while its Lease stays fresh nobody takes them over. Stop the process, so its Lease
            // lapses and the partitions move (Kubernetes restarts the container).
            DataPlane.DataPlaneLog.Failed(_logger, _options.PodName, e.Message);
            Fatal?.Invoke(e);
        }
        finally
        {
            state.Observed -= Feed;
        }
    }

    private Task LeadAsync(CancellationToken cancellationToken)
    {
        var duties = new LeaderDuties(
            _options.ClusterName,
            Context.Ring,
            Context.Assignments,
            _publisher,
            new KubeMemberLeaseFeed(_client, _options.Namespace, _options.ClusterName, Context.Metrics, _loggers.CreateLogger("DataCluster.Agent.Membership"), _time),
            _options.LeaseDuration,
            _options.RenewInterval,
            _loggers.CreateLogger("DataCluster.Agent.Leadership"),
            _time);
        Duties = duties;
        return duties.RunAsync(cancellationToken);
    }

    /// <summary>The EndpointSlice version the server serves (v1beta1 on 1.20), retried until known; null when cancelled.</summary>
    private async Task<ResourceType<EndpointSlice>?> ResolveEndpointSlicesAsync(CancellationToken cancellationToken)
    {
        var discovery = new ApiDiscovery(_client);
        var backoff = new Backoff(Backoff.DefaultInitial, Backoff.DefaultMax);
        while (true)
        {
            try
            {
                return await discovery.ResolveAsync(KubeResources.EndpointSlices, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception e)
            {
                discovery.Invalidate();
                var delay = backoff.Next();
                AgentLog.DiscoveryFailed(_logger, $"{e.GetType().Name}: {e.Message}", (long)delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
        }
    }
}
