using System.Diagnostics.Metrics;
using DataCluster.Replication;
using DataCluster.Telemetry;

namespace DataCluster.Agent.DataPlane;

/// <summary>
/// The data plane's instruments, on the agent's meter: write latency by commit level, write
/// outcomes, replication lag per follower, log bytes and role per partition. Thread-safe.
/// </summary>
public sealed class DataPlaneMetrics
{
    /// <summary>The meter every agent instrument lives on.</summary>
    public const string MeterName = "DataCluster.Agent";

    /// <summary>The replication lag gauge: a series per partition this member leads and follower.</summary>
    public const string ReplicationLagName = "datacluster.agent.replication_lag_records";

    /// <summary>The log size gauge: a series per partition this member holds.</summary>
    public const string LogBytesName = "datacluster.agent.log_bytes";

    /// <summary>The delivery lag gauge: a series per partition this member leads.</summary>
    public const string DeliveryLagName = "datacluster.agent.delivery_lag_records";

    /// <summary>Partitions this member holds as a stand-in for a down replica.</summary>
    public const string SubstitutePartitionsName = "datacluster.agent.substitute_partitions";

    /// <summary>Records in the stand-in copies this member holds: the hints held.</summary>
    public const string SubstituteRecordsName = "datacluster.agent.substitute_records";

    /// <summary>How long the longest-held stand-in copy has been held.</summary>
    public const string SubstituteOldestName = "datacluster.agent.substitute_oldest_held";

    /// <summary>Stand-ins this member put in place as a partition leader.</summary>
    public const string SubstitutionsName = "datacluster.agent.substitutions";

    /// <summary>Stand-in copies this member dropped once their leader released them (handed over).</summary>
    public const string SubstituteReleasesName = "datacluster.agent.substitute_releases";

    private readonly Histogram<double> _deliverySeconds;
    private readonly Histogram<double> _writeSeconds;
    private readonly Counter<long> _writes;
    private DataPlane? _plane;

    /// <summary>Creates the instruments on <paramref name="meter"/>.</summary>
    public DataPlaneMetrics(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _writeSeconds = meter.CreateHistogram<double>("datacluster.agent.write", unit: "s",
            description: "Time from accepting a write on its partition leader to meeting its commit level, by commit level.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10] });
        _writes = meter.CreateCounter<long>("datacluster.agent.writes", unit: null,
            description: "Writes by outcome: acked, rejected (refused before appending), forwarded (to the partition leader), timed_out, not_acked.");
        meter.CreateObservableGauge(ReplicationLagName, ObserveLag, unit: null,
            description: "Records a follower lacks, as its partition leader on this member sees it, by partition and follower.");
        meter.CreateObservableGauge(LogBytesName, ObserveLogBytes, unit: null,
            description: "Bytes of each partition's log on this member.");
        _deliverySeconds = meter.CreateHistogram<double>("datacluster.agent.delivery", unit: "s",
            description: "Time from sending a batch of events to the app's delivery URL to its answer (or the timeout), by outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30] });
        Deliveries.Inc("ok", "", 0);
        Deliveries.Inc("failed", "", 0);
        meter.CreateObservableCounter("datacluster.agent.deliveries", Deliveries.Measurements,
            description: "Batches of events sent to the app's delivery URL, by outcome: ok (2xx, consumed), failed (another status, a timeout or no answer; retried).");
        meter.CreateObservableGauge(DeliveryLagName, ObserveDeliveryLag, unit: null,
            description: "Committed records the app has not consumed yet (commit offset minus consumed offset), by partition this member leads.");
        meter.CreateObservableGauge("datacluster.agent.partition_role", ObserveRoles, unit: null,
            description: "Partitions of this member by role: leading, syncing, following, damaged, substitute.");
        meter.CreateObservableGauge(SubstitutePartitionsName, () => (long)Substitutes.PartitionsHeld, unit: null,
            description: "Partitions this member holds as a stand-in for a down replica, until their leader releases them.");
        meter.CreateObservableGauge(SubstituteRecordsName, () => Substitutes.RecordsHeld, unit: null,
            description: "Records in the stand-in copies this member holds (hints held): written while a replica was down, handed over once it is back.");
        meter.CreateObservableGauge(SubstituteOldestName, () => _plane?.OldestSubstituteCopyAge.TotalSeconds ?? 0, unit: "s",
            description: "How long the longest-held stand-in copy on this member has been held; 0 when none is. Copies are dropped only when their leader releases them, never by age.");
        meter.CreateObservableCounter(SubstitutionsName, () => Substitutes.Started, unit: null,
            description: "Stand-ins this member, as a partition leader, put in place for down replicas.");
        meter.CreateObservableCounter(SubstituteReleasesName, () => Substitutes.Released, unit: null,
            description: "Stand-in copies this member dropped after handing them over: their leader released them once the replica was back.");
    }

    /// <summary>A write met its commit level or failed after being appended.</summary>
    public void WriteCompleted(WriteStatus status, CommitLevel level, TimeSpan elapsed)
    {
        if (status == WriteStatus.Acknowledged)
        {
            _writeSeconds.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("level", LevelName(level)));
        }

        _writes.Add(1, new KeyValuePair<string, object?>("outcome", OutcomeName(status)));
    }

    /// <summary>Delivery batches by outcome (<c>ok</c>, <c>failed</c>); read by tests and the observable counter.</summary>
    public LabelledCounts Deliveries { get; } = new("outcome");

    /// <summary>A batch was sent to the app and answered (or not) after <paramref name="elapsed"/>.</summary>
    public void Delivered(bool ok, TimeSpan elapsed)
    {
        var outcome = ok ? "ok" : "failed";
        Deliveries.Inc(outcome);
        _deliverySeconds.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));
    }

    /// <summary>A write was refused before it was appended.</summary>
    public void WriteRefused(WriteStatus status)
    {
        _ = status;
        _writes.Add(1, new KeyValuePair<string, object?>("outcome", "rejected"));
    }

    /// <summary>A write was forwarded to its partition's leader.</summary>
    public void WriteForwarded() => _writes.Add(1, new KeyValuePair<string, object?>("outcome", "forwarded"));

    internal void Observe(DataPlane plane) => _plane = plane;

    private SubstituteSummary Substitutes => _plane?.Substitutes ?? SubstituteSummary.None;

    private static string LevelName(CommitLevel level) => level switch
    {
        CommitLevel.One => "One",
        CommitLevel.All => "All",
        _ => "Quorum",
    };

    private static string OutcomeName(WriteStatus status) => status switch
    {
        WriteStatus.Acknowledged => "acked",
        WriteStatus.TimedOut => "timed_out",
        _ => "not_acked",
    };

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        foreach (var status in _plane?.Statuses ?? [])
        {
            foreach (var follower in status.Followers)
            {
                yield return new Measurement<long>(follower.Lag,
                    new KeyValuePair<string, object?>("partition", status.Partition),
                    new KeyValuePair<string, object?>("follower", follower.Member));
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveDeliveryLag()
    {
        foreach (var status in _plane?.Statuses ?? [])
        {
            if (status.Role == ReplicaRole.Leading)
            {
                yield return new Measurement<long>(Math.Max(0, status.CommitOffset - status.ConsumedOffset), new KeyValuePair<string, object?>("partition", status.Partition));
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveLogBytes()
    {
        foreach (var (partition, bytes) in _plane?.LogBytes ?? new Dictionary<int, long>())
        {
            yield return new Measurement<long>(bytes, new KeyValuePair<string, object?>("partition", partition));
        }
    }

    private IEnumerable<Measurement<int>> ObserveRoles()
    {
        var statuses = _plane?.Statuses ?? [];
        foreach (var role in new[] { ReplicaRole.Leading, ReplicaRole.Syncing, ReplicaRole.Following, ReplicaRole.Damaged, ReplicaRole.Substitute })
        {
            yield return new Measurement<int>(statuses.Count(s => s.Role == role), new KeyValuePair<string, object?>("role", role.ToString().ToLowerInvariant()));
        }
    }
}
