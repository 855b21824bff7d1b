using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DataCluster.Storage;

/// <summary>
/// The storage instruments, on a <see cref="Meter"/> named <see cref="MeterName"/> (one per
/// <see cref="LogStore"/>, from the host's <see cref="IMeterFactory"/> when given). Instrument
/// names follow OpenTelemetry conventions; durations are in seconds. Thread-safe.
/// </summary>
public sealed class StorageMetrics : IDisposable
{
    /// <summary>The meter's name, to subscribe to (e.g. OpenTelemetry's <c>AddMeter</c>).</summary>
    public const string MeterName = "DataCluster.Storage";

    /// <summary>
    /// Bucket bounds, in seconds, of the fsync and flush histograms: from 50 us (a device with
    /// a battery-backed cache) to 10 s (a stalled one). Without them a histogram in seconds gets
    /// the default bounds, made for milliseconds, and every fsync lands in the first bucket.
    /// </summary>
    internal static readonly double[] DurationBuckets =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<double> _fsyncDuration;
    private readonly Histogram<double> _flushDuration;
    private readonly Counter<long> _appendedBytes;
    private readonly Counter<long> _appendedRecords;
    private readonly Counter<long> _recoveryCutBytes;
    private readonly Counter<long> _recoveryCuts;
    private readonly Counter<long> _segmentsDeleted;
    private readonly Counter<long> _walCheckpoints;
    private readonly Counter<long> _walReplayedRecords;

    internal StorageMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        var buckets = new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets };
        _fsyncDuration = _meter.CreateHistogram("datacluster.storage.fsync.duration", "s", "Duration of one fsync of a segment, index, write-ahead log or directory.", tags: null, advice: buckets);
        _flushDuration = _meter.CreateHistogram("datacluster.storage.flush.duration", "s", "Duration of one group flush: writes and every fsync, in parallel.", tags: null, advice: buckets);
        _appendedBytes = _meter.CreateCounter<long>("datacluster.storage.appended.bytes", "By", "Encoded bytes of records appended (counted at flush).");
        _appendedRecords = _meter.CreateCounter<long>("datacluster.storage.appended.records", "{record}", "Records appended (counted at flush).");
        _recoveryCutBytes = _meter.CreateCounter<long>("datacluster.storage.recovery.cut.bytes", "By", "Bytes recovery cut from torn or damaged log tails, by reason.");
        _recoveryCuts = _meter.CreateCounter<long>("datacluster.storage.recovery.cuts", "{cut}", "Partition logs whose tail recovery cut, by reason.");
        _segmentsDeleted = _meter.CreateCounter<long>("datacluster.storage.segments.deleted", "{segment}", "Segment files deleted, by reason: retention, truncate, reset, recovery.");
        _walCheckpoints = _meter.CreateCounter<long>("datacluster.storage.wal.checkpoints", "{checkpoint}", "Write-ahead log checkpoints: segments synced, the next file started.");
        _walReplayedRecords = _meter.CreateCounter<long>("datacluster.storage.wal.replayed.records", "{record}", "Records opening the store put back into partition logs from the write-ahead log.");
    }

    /// <summary>The meter the instruments are on.</summary>
    public Meter Meter => _meter;

    internal void Fsync(long startTimestamp) => _fsyncDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);

    internal void Flush(long startTimestamp) => _flushDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);

    internal void Appended(long bytes, long records)
    {
        if (records > 0)
        {
            _appendedBytes.Add(bytes);
            _appendedRecords.Add(records);
        }
    }

    internal void Recovered(RecoveryReport report)
    {
        if (report.Reason != RecoveryCutReason.None)
        {
            var reason = new KeyValuePair<string, object?>("reason", report.Reason.ToString());
            _recoveryCuts.Add(1, reason);
            _recoveryCutBytes.Add(report.BytesCut, reason);
        }

        if (report.SegmentsDeleted > 0)
        {
            SegmentDeleted("recovery", report.SegmentsDeleted);
        }
    }

    internal void WalCheckpoint() => _walCheckpoints.Add(1);

    internal void WalReplayed(WalReplayReport report)
    {
        if (report.RecordsReplayed > 0)
        {
            _walReplayedRecords.Add(report.RecordsReplayed);
        }
    }

    internal void SegmentDeleted(string reason, int count = 1) => _segmentsDeleted.Add(count, new KeyValuePair<string, object?>("reason", reason));

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
