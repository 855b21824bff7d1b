using DataCluster.Kube.Controllers;
using DataCluster.Telemetry;

namespace DataCluster.Operator.Hosting;

/// <summary>
/// The operator's Prometheus metrics: reconciles by result, their duration and errors, the work
/// queue's depth, writes to the API by verb and resource, and whether this replica leads.
/// Thread-safe.
/// </summary>
public sealed class OperatorMetrics : IControllerObserver
{
    private readonly Counter _reconciles;
    private readonly Histogram _duration;
    private readonly Counter _errors;
    private readonly Gauge _queueDepth;
    private readonly Counter _writes;
    private readonly Gauge _leader;
    private volatile Func<int>? _queueDepthSource;

    public OperatorMetrics(MetricRegistry? registry = null)
    {
        Registry = registry ?? new MetricRegistry();
        _reconciles = Registry.Counter("datacluster_operator_reconcile_total", "Reconciles of DataClusters by result: success, requeue (success with a timed follow-up) or error.", "result");
        _duration = Registry.Histogram("datacluster_operator_reconcile_duration_seconds", "How long one reconcile of a DataCluster took, in seconds.");
        _errors = Registry.Counter("datacluster_operator_reconcile_errors_total", "Reconciles of DataClusters that failed and were retried with backoff.");
        _queueDepth = Registry.Gauge("datacluster_operator_workqueue_depth", "DataClusters waiting to be reconciled.");
        _writes = Registry.Counter("datacluster_operator_api_writes_total", "Requests that change state on the API server, by verb and resource.", "verb", "resource");
        _leader = Registry.Gauge("datacluster_operator_leader", "1 while this replica holds the leader Lease and reconciles, else 0.");

        // Read at scrape time too: delayed and rate-limited requeues enter the queue on a timer,
        // without a depth report.
        Registry.OnCollect(() =>
        {
            if (_queueDepthSource is { } depth)
            {
                _queueDepth.Set(depth());
            }
        });

        // Present from the first scrape, so rate() and alerts see a zero rather than no series.
        _errors.Inc(0);
        _leader.Set(0);
        _queueDepth.Set(0);
        foreach (var result in new[] { "success", "requeue", "error" })
        {
            _reconciles.Inc(0, result);
        }
    }

    /// <summary>Where the metrics are rendered from (/metrics).</summary>
    public MetricRegistry Registry { get; }

    /// <inheritdoc />
    public void OnReconciled(string controller, ReconcileRequest request, ReconcileOutcome outcome, TimeSpan duration, Exception? error)
    {
        _reconciles.Inc(1, outcome switch
        {
            ReconcileOutcome.Success => "success",
            ReconcileOutcome.Requeue => "requeue",
            _ => "error",
        });
        _duration.Observe(duration.TotalSeconds);
        if (outcome == ReconcileOutcome.Error)
        {
            _errors.Inc();
        }
    }

    /// <inheritdoc />
    public void OnQueueDepth(string controller, int depth) => _queueDepth.Set(depth);

    /// <summary>Counts one write request.</summary>
    public void CountWrite(string verb, string resource) => _writes.Inc(1, verb, resource);

    /// <summary>Writes so far with this verb and resource.</summary>
    public double Writes(string verb, string resource) => _writes.Value(verb, resource);

    public void SetLeader(bool leading) => _leader.Set(leading ? 1 : 0);

    /// <summary>Where the work queue's depth is read at each scrape; null while no controller runs.</summary>
    public void TrackQueueDepth(Func<int>? source)
    {
        _queueDepthSource = source;
        if (source is null)
        {
            _queueDepth.Set(0);
        }
    }
}
