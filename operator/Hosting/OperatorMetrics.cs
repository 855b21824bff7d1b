using System.Diagnostics.Metrics;
using DataCluster.Kube.Controllers;
using DataCluster.Telemetry;

namespace DataCluster.Operator.Hosting;

/// <summary>
/// The operator's instruments, on a <see cref="Meter"/> named <see cref="MeterName"/> from the
/// host's <see cref="IMeterFactory"/>: reconciles by result, their duration and errors, the work
/// queue's depth, writes to the API by verb and resource, and whether this replica leads.
/// Exposed on /metrics with the names of docs/operator.md (dots become underscores, counters
/// get <c>_total</c>, the unit <c>s</c> gives <c>_seconds</c>). Thread-safe.
/// </summary>
public sealed class OperatorMetrics : IControllerObserver, IDisposable
{
    /// <summary>The meter's name, to subscribe to.</summary>
    public const string MeterName = "DataCluster.Operator";

    /// <summary>Seconds, 1 ms to 10 s: a reconcile is a few reads from the cache and a few writes.</summary>
    private static readonly double[] DurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly LabelledCounts _reconciles = new("result");
    private readonly Histogram<double> _duration;
    private readonly CountValue _errors = new();
    private readonly GaugeValue _reportedDepth = new();
    private readonly LabelledCounts _writes = new("verb", "resource");
    private readonly GaugeValue _leader = new();
    private volatile Func<int>? _queueDepthSource;

    /// <param name="meters">The host's factory; null = a meter of its own (unit tests).</param>
    public OperatorMetrics(IMeterFactory? meters = null)
    {
        _ownsMeter = meters is null;
        _meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableCounter("datacluster.operator.reconcile", _reconciles.Measurements,
            description: "Reconciles of DataClusters by result: success, requeue (success with a timed follow-up) or error.");
        _duration = _meter.CreateHistogram("datacluster.operator.reconcile_duration", "s", "How long one reconcile of a DataCluster took, in seconds.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _meter.CreateObservableCounter("datacluster.operator.reconcile_errors", () => _errors.Value,
            description: "Reconciles of DataClusters that failed and were retried with backoff.");

        // Read at collection: delayed and rate-limited requeues enter the queue on a timer,
        // without a depth report.
        _meter.CreateObservableGauge("datacluster.operator.workqueue_depth", () => _queueDepthSource is { } depth ? depth() : _reportedDepth.Value,
            description: "DataClusters waiting to be reconciled.");
        _meter.CreateObservableCounter("datacluster.operator.api_writes", _writes.Measurements,
            description: "Requests that change state on the API server, by verb and resource.");
        _meter.CreateObservableGauge("datacluster.operator.leader", () => _leader.Value,
            description: "1 while this replica holds the leader Lease and reconciles, else 0.");

        // Every result is present from the first collection, so rate() and alerts see a zero.
        foreach (var result in new[] { "success", "requeue", "error" })
        {
            _reconciles.Inc(result, "", 0);
        }
    }

    /// <summary>The meter the instruments are on.</summary>
    public Meter Meter => _meter;

    /// <inheritdoc />
    public void OnReconciled(string controller, ReconcileRequest request, ReconcileOutcome outcome, TimeSpan duration, Exception? error)
    {
        _reconciles.Inc(outcome switch
        {
            ReconcileOutcome.Success => "success",
            ReconcileOutcome.Requeue => "requeue",
            _ => "error",
        });
        _duration.Record(duration.TotalSeconds);
        if (outcome == ReconcileOutcome.Error)
        {
            _errors.Inc();
        }
    }

    /// <inheritdoc />
    public void OnQueueDepth(string controller, int depth) => _reportedDepth.Set(depth);

    /// <summary>Counts one write request.</summary>
    public void CountWrite(string verb, string resource) => _writes.Inc(verb, resource);

    /// <summary>Writes so far with this verb and resource.</summary>
    public long Writes(string verb, string resource) => _writes.Value(verb, resource);

    public void SetLeader(bool leading) => _leader.Set(leading ? 1 : 0);

    /// <summary>Where the work queue's depth is read at each collection; null while no controller runs.</summary>
    public void TrackQueueDepth(Func<int>? source)
    {
        _queueDepthSource = source;
        if (source is null)
        {
            _reportedDepth.Set(0);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
