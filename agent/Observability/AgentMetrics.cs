using System.Diagnostics.Metrics;
using DataCluster.Telemetry;

namespace DataCluster.Agent.Observability;

/// <summary>
/// The agent's instruments, on a <see cref="Meter"/> named <see cref="MeterName"/> from the host's
/// <see cref="IMeterFactory"/> (so several agents in one test process keep apart). Values that
/// the agent keeps anyway are read at collection by observable instruments; only the renewal
/// latency is a recorded histogram. Instrument names follow OpenTelemetry's dotted form and
/// are exposed on <c>/metrics</c> with the names of agent/README.md (the Prometheus exporter
/// turns dots into underscores and adds <c>_total</c> to counters and <c>_seconds</c> for the
/// unit <c>s</c>). Thread-safe.
/// </summary>
public sealed class AgentMetrics : IDisposable
{
    /// <summary>The meter's name, to subscribe to.</summary>
    public const string MeterName = "DataCluster.Agent";

    /// <summary>
    /// Lease renewals are one small PUT: a healthy API server answers in milliseconds, a
    /// struggling one in seconds, and anything near the 2 s renew interval threatens the lease.
    /// </summary>
    private static readonly double[] RenewBuckets = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<double> _leaseRenew;

    /// <param name="meters">The host's factory; null = a meter of its own (unit tests).</param>
    public AgentMetrics(IMeterFactory? meters = null)
    {
        _ownsMeter = meters is null;
        _meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        Gauge("datacluster.agent.members", Members, "Members in the current assignment (agents holding at least one replica).");
        Gauge("datacluster.agent.membership_epoch", MembershipEpoch, "Membership epoch of the ring EndpointSlice this agent sees.");
        Gauge("datacluster.agent.assignment_epoch", AssignmentEpoch, "Epoch of the assignment this agent acts on; 0 before the first.");
        Gauge("datacluster.agent.partitions_held", PartitionsHeld, "Partitions this agent holds a replica of.");
        Gauge("datacluster.agent.partitions_led", PartitionsLed, "Partitions this agent leads.");
        Gauge("datacluster.agent.is_cluster_leader", IsClusterLeader, "1 while this agent is the cluster leader (publishes assignments), else 0.");
        _leaseRenew = _meter.CreateHistogram("datacluster.agent.lease_renew", "s", "Duration of member Lease renewals, successful or not.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RenewBuckets });
        Counter("datacluster.agent.lease_renew_failures", LeaseRenewFailures, "Member Lease renewals that failed.");
        _meter.CreateObservableCounter("datacluster.agent.watch_restarts", WatchRestarts.Measurements, description: "Watch reconnects and relists, by resource.");
        Counter("datacluster.agent.assignments_published", AssignmentsPublished, "Assignments this agent published as cluster leader.");
        Counter("datacluster.agent.assignment_rejected", AssignmentRejected, "Assignment ConfigMap contents this agent could not use (undecodable, newer format, other partition count).");
        _meter.CreateObservableCounter("datacluster.agent.http_requests", HttpRequests.Measurements, description: "HTTP requests served, by route template and status code.");

        // Every watched resource is present from the first collection, at zero.
        foreach (var resource in new[] { "endpointslices", "configmaps", "leases" })
        {
            WatchRestarts.Inc(resource, "", 0);
        }
    }

    /// <summary>The meter the instruments are on.</summary>
    public Meter Meter => _meter;

    public GaugeValue Members { get; } = new();

    public GaugeValue MembershipEpoch { get; } = new();

    public GaugeValue AssignmentEpoch { get; } = new();

    public GaugeValue PartitionsHeld { get; } = new();

    public GaugeValue PartitionsLed { get; } = new();

    public GaugeValue IsClusterLeader { get; } = new();

    public CountValue LeaseRenewFailures { get; } = new();

    /// <summary>By <c>resource</c>: endpointslices, configmaps, leases.</summary>
    public LabelledCounts WatchRestarts { get; } = new("resource");

    public CountValue AssignmentsPublished { get; } = new();

    public CountValue AssignmentRejected { get; } = new();

    /// <summary>By <c>route</c> (the route template, or <c>unmatched</c>) and <c>code</c>.</summary>
    public LabelledCounts HttpRequests { get; } = new("route", "code");

    /// <summary>Records one member Lease renewal, successful or not.</summary>
    public void LeaseRenewed(TimeSpan elapsed) => _leaseRenew.Record(elapsed.TotalSeconds);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private void Gauge(string name, GaugeValue value, string description) =>
        _meter.CreateObservableGauge(name, () => value.Value, description: description);

    private void Counter(string name, CountValue count, string description) =>
        _meter.CreateObservableCounter(name, () => count.Value, description: description);
}
