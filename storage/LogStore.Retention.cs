namespace DataCluster.Storage;

/// <summary>What one retention pass over a partition log deleted.</summary>
/// <param name="SegmentsDeleted">Whole segments deleted.</param>
/// <param name="BytesDeleted">Their size in bytes.</param>
/// <param name="StartOffset">The log's first offset afterwards.</param>
public readonly record struct RetentionResult(int SegmentsDeleted, long BytesDeleted, long StartOffset);

/// <summary>Retention of a <see cref="LogStore"/>'s logs.</summary>
public sealed partial class LogStore
{
    /// <summary>
    /// Deletes the oldest whole segments of <paramref name="log"/> that
    /// <see cref="LogStoreOptions.RetentionBytes"/> or <see cref="LogStoreOptions.RetentionAge"/>
    /// let go, never the active segment and never one holding a record at or above
    /// <paramref name="retainFrom"/> (the caller's bound: what is not yet replicated everywhere or
    /// consumed). Age is that of a segment's newest record timestamp against the store's
    /// <see cref="TimeProvider"/>. The deletions become durable with the next flush; a crash before
    /// that may bring the segments back, which is harmless.
    /// </summary>
    public RetentionResult ApplyRetention(IPartitionLog log, long retainFrom)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (log is not PartitionLog owned || !_logs.TryGetValue(owned.Partition, out var mine) || !ReferenceEquals(mine, owned))
        {
            throw new ArgumentException($"partition {log?.Partition}: this log was not opened by this store (or was closed)", nameof(log));
        }

        var result = owned.DeleteOldSegments(Options.RetentionBytes, Options.RetentionAge, _time.GetUtcNow().ToUnixTimeMilliseconds(), retainFrom);
        if (result.SegmentsDeleted > 0)
        {
            Metrics.SegmentDeleted("retention", result.SegmentsDeleted);
            _dirty.Add(owned);
        }

        return result;
    }
}
