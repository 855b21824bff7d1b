using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Controllers;
using DataCluster.Kube.Discovery;
using DataCluster.Kube.Models;
using DataCluster.Kube.Watch;
using DataCluster.Operator.Builders;
using DataCluster.Operator.Controllers;
using Microsoft.Extensions.Logging;

namespace DataCluster.Operator.Hosting;

/// <summary>
/// The work of the leading replica: resolve the served API versions, start the informer caches,
/// wait for them to sync, and run the DataCluster controller until cancelled.
/// </summary>
/// <remarks>
/// <see cref="RunAsync"/> builds everything afresh on each call, so a replica that leads a
/// second time starts clean. <see cref="CachesSynced"/> and <see cref="Controller"/> may be read
/// from any thread.
/// </remarks>
public sealed class OperatorRuntime(
    IKubeClient client,
    OperatorOptions options,
    OperatorMetrics metrics,
    IEventRecorder events,
    ILoggerFactory loggerFactory,
    TimeProvider timeProvider)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<OperatorRuntime>();
    private volatile ClusterCaches? _caches;
    private volatile Controller? _controller;

    /// <summary>True once the caches of the current run have synced.</summary>
    public bool CachesSynced => _caches?.HasSynced == true;

    /// <summary>The controller of the current run, or null.</summary>
    public Controller? Controller => _controller;

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled; returns when every worker and informer has stopped.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var (slices, budgets) = await ResolveAsync(cancellationToken).ConfigureAwait(false);
        var caches = new ClusterCaches(client, slices, budgets, options.Namespaces, loggerFactory);

        // Before the controller's handler, so a renewal is stamped before the reconcile it triggers.
        var leases = new LeaseObserver(timeProvider);
        caches.Leases.AddHandler(leases);

        // The reconciler reads its own writes before the informers deliver them.
        var written = new WrittenObjects(timeProvider);
        var writer = new RecordingKubeWriter(client, client, written);
        var reconciler = new DataClusterReconciler(
            new ReadYourWritesClusterCaches(caches, written),
            client,
            writer,
            writer,
            events,
            leases,
            new BuilderOptions { DefaultAgentImage = options.AgentImage },
            timeProvider,
            loggerFactory.CreateLogger<DataClusterReconciler>());
        using var controller = new Controller(DataClusterSources.ControllerName, reconciler, new ControllerOptions
        {
            Workers = options.Workers,
            Observer = metrics,
            TimeProvider = timeProvider,
        }, loggerFactory.CreateLogger<Controller>());
        DataClusterSources.Register(controller, caches);

        using var stopInformers = new CancellationTokenSource();
        var informers = caches.RunAsync(stopInformers.Token);
        _caches = caches;
        _controller = controller;
        metrics.TrackQueueDepth(() => controller.QueueDepth);
        try
        {
            await caches.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
            _logger.CachesSynced(caches.DataClusters.List().Count);
            await controller.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Informers stop only after the workers: a reconcile in flight keeps reading caches.
            await stopInformers.CancelAsync().ConfigureAwait(false);
            await informers.ConfigureAwait(false);
            metrics.TrackQueueDepth(null);
            _controller = null;
            _caches = null;
        }
    }

    /// <summary>EndpointSlices and PodDisruptionBudgets in the versions the server serves; retried until it answers.</summary>
    private async Task<(ResourceType<EndpointSlice>, ResourceType<PodDisruptionBudget>)> ResolveAsync(CancellationToken cancellationToken)
    {
        var discovery = new ApiDiscovery(client, loggerFactory.CreateLogger<ApiDiscovery>());
        var backoff = new Backoff(Backoff.DefaultInitial, Backoff.DefaultMax);
        while (true)
        {
            try
            {
                var slices = await discovery.ResolveAsync(KubeResources.EndpointSlices, cancellationToken).ConfigureAwait(false);
                var budgets = await discovery.ResolveAsync(KubeResources.PodDisruptionBudgets, cancellationToken).ConfigureAwait(false);
                return (slices, budgets);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var delay = backoff.Next();
                _logger.DiscoveryFailed(e, (long)delay.TotalMilliseconds);
                discovery.Invalidate();
                await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
