using DataCluster.Replication;

namespace DataCluster.Agent.DataPlane;

/// <summary>One event to append to a partition this member leads.</summary>
/// <param name="Partition">The key's partition.</param>
/// <param name="Key">The entity key as UTF-8.</param>
/// <param name="ContentType">The client's content type, or null.</param>
/// <param name="Body">The payload, kept as received.</param>
/// <param name="Level">When to acknowledge.</param>
/// <param name="ProducerId">The producer, for idempotent retries; null for none.</param>
/// <param name="Sequence">The producer's sequence number; -1 without a producer.</param>
public sealed record WriteRequest(
    int Partition,
    ReadOnlyMemory<byte> Key,
    string? ContentType,
    ReadOnlyMemory<byte> Body,
    CommitLevel Level,
    string? ProducerId,
    long Sequence);

/// <summary>How a write ended.</summary>
public enum WriteStatus
{
    /// <summary>The commit level was met.</summary>
    Acknowledged,

    /// <summary>This member does not lead the partition.</summary>
    NotLeader,

    /// <summary>The partition has no leader able to take writes yet (syncing, electing).</summary>
    Unavailable,

    /// <summary>The replicas the commit level needs are known down.</summary>
    CommitLevelCannotBeMet,

    /// <summary>The commit level was not met in time; the event may still be committed later.</summary>
    TimedOut,

    /// <summary>The leader lost its term first; the event may or may not survive.</summary>
    NotAcknowledged,

    /// <summary>A producer retry older than the sequences the leader remembers.</summary>
    SequenceOutOfWindow,

    /// <summary>The data plane is stopping or not started.</summary>
    Stopping,

    /// <summary>This member's copy of the partition is damaged; it takes no writes for it until its data is replaced.</summary>
    Damaged,
}

/// <summary>The answer to a <see cref="WriteRequest"/>.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Term">The partition epoch (leader term) of the record, when appended.</param>
/// <param name="Offset">The record's offset, when appended (for an idempotent retry: the original's).</param>
/// <param name="Duplicate">True when this was a retry of a sequence already written.</param>
/// <param name="Leader">Who leads the partition, when known and not this member.</param>
/// <param name="RetryAfterMs">Suggested wait before retrying a refusal.</param>
/// <param name="Message">A sentence for the client when not acknowledged.</param>
public sealed record WriteOutcome(
    WriteStatus Status,
    int Partition,
    long Term,
    long Offset,
    bool Duplicate,
    string? Leader,
    long RetryAfterMs,
    string? Message);

/// <summary>Committed events read from a partition.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Records">Data records in offset order (control records are skipped).</param>
/// <param name="CommitOffset">Every record below this offset is committed on this member.</param>
/// <param name="StartOffset">The first offset this member still holds (retention may have removed older ones).</param>
/// <param name="NextAfter">The offset to pass as <c>after</c> to continue: the last offset examined.</param>
/// <param name="ConsumedOffset">The partition's consumed offset as this member knows it: every data record below it was consumed by the app.</param>
public sealed record ReadOutcome(int Partition, IReadOnlyList<Storage.LogRecord> Records, long CommitOffset, long StartOffset, long NextAfter, long ConsumedOffset);
