namespace DataCluster.Storage;

/// <summary>What a record in a partition log is for.</summary>
public enum RecordKind : byte
{
    /// <summary>An event a client wrote; the only kind readers see.</summary>
    Data = 0,

    /// <summary>
    /// The first record a partition leader appends in its term. Its body carries the term's
    /// replica set (encoded by the replication layer). Never returned to readers.
    /// </summary>
    TermStart = 1,

    /// <summary>Other records the replication layer keeps in the log (for example consumed offsets). Never returned to readers.</summary>
    Control = 2,
}

/// <summary>
/// One record of a partition log. Immutable. Offsets are dense: each record takes the offset
/// after the previous one, whatever its kind, so control records leave gaps in what readers see.
/// </summary>
/// <param name="Offset">Position in the partition log, from 0.</param>
/// <param name="Term">The partition leader's term that appended it; never lower than the previous record's.</param>
/// <param name="Kind">What the record is for.</param>
/// <param name="Timestamp">When the leader accepted it, Unix milliseconds.</param>
/// <param name="Key">The entity key as UTF-8 (empty for control records).</param>
/// <param name="ContentType">The client's content type, or null when it sent none.</param>
/// <param name="Body">The payload, kept exactly as received.</param>
/// <param name="ProducerId">The producer that wrote it, for idempotent retries; null when none was given.</param>
/// <param name="Sequence">The producer's sequence number; -1 without a producer.</param>
public sealed record LogRecord(
    long Offset,
    long Term,
    RecordKind Kind,
    long Timestamp,
    ReadOnlyMemory<byte> Key,
    string? ContentType,
    ReadOnlyMemory<byte> Body,
    string? ProducerId = null,
    long Sequence = -1)
{
    /// <summary>True when the bytes and fields of both records are equal (records compare memory by reference otherwise).</summary>
    public bool SameContent(LogRecord other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Offset == other.Offset
            && Term == other.Term
            && Kind == other.Kind
            && Timestamp == other.Timestamp
            && Key.Span.SequenceEqual(other.Key.Span)
            && string.Equals(ContentType, other.ContentType, StringComparison.Ordinal)
            && Body.Span.SequenceEqual(other.Body.Span)
            && string.Equals(ProducerId, other.ProducerId, StringComparison.Ordinal)
            && Sequence == other.Sequence;
    }
}

/// <summary>Where a term begins in a log: Kafka's leader-epoch cache entry.</summary>
/// <param name="Term">The term.</param>
/// <param name="StartOffset">Offset of the term's first record in this log.</param>
public readonly record struct TermStart(long Term, long StartOffset);
