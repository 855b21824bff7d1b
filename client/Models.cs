namespace DataCluster.Client;

/// <summary>How many replicas must have a write before it is acknowledged.</summary>
public enum CommitLevel
{
    /// <summary>The partition leader has it durably.</summary>
    One,

    /// <summary>A majority of the partition's replicas have it durably.</summary>
    Quorum,

    /// <summary>Every replica of the partition's current replica set has it durably.</summary>
    All,
}

/// <summary>Per-write choices; every one falls back to <see cref="DataClusterClientOptions"/> when null.</summary>
public sealed record WriteOptions
{
    /// <summary>The commit level to wait for. The agent refuses one weaker than the cluster's.</summary>
    public CommitLevel? CommitLevel { get; init; }

    /// <summary>The body's content type, kept with the event and returned on reads.</summary>
    public string? ContentType { get; init; }

    /// <summary>The most time the write may take, all retries included.</summary>
    public TimeSpan? Timeout { get; init; }
}

/// <summary>An acknowledged write.</summary>
/// <param name="Partition">The key's partition.</param>
/// <param name="Epoch">The partition epoch (leader term) the event was written in.</param>
/// <param name="Offset">The event's offset in the partition log.</param>
/// <param name="CommitLevel">The commit level that was met.</param>
/// <param name="Duplicate">True when an earlier attempt of this write had already been stored (its offset is returned; the event is stored once).</param>
public sealed record WriteResult(int Partition, long Epoch, long Offset, CommitLevel CommitLevel, bool Duplicate);

/// <summary>One committed event.</summary>
/// <param name="Partition">Its partition.</param>
/// <param name="Offset">Its offset in the partition log.</param>
/// <param name="Epoch">The partition epoch it was written in.</param>
/// <param name="Key">The entity key.</param>
/// <param name="Timestamp">When the partition leader accepted it.</param>
/// <param name="ContentType">The content type it was written with, or null.</param>
/// <param name="Body">The body exactly as written.</param>
public sealed record Event(int Partition, long Offset, long Epoch, string Key, DateTimeOffset Timestamp, string? ContentType, ReadOnlyMemory<byte> Body)
{
    /// <summary>The body as UTF-8 text.</summary>
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body.Span);
}

/// <summary>What happened to one agent's assignment.</summary>
public enum AssignmentChangeKind
{
    /// <summary>
    /// The stream (re)started: forget what earlier changes said; the changes that follow rebuild
    /// the agent's state from nothing (an <see cref="Assigned"/>, possibly empty, then
    /// <see cref="LeaderGained"/> when it leads anything).
    /// </summary>
    Reset,

    /// <summary>The agent now holds replicas of these partitions.</summary>
    Assigned,

    /// <summary>The agent no longer holds these partitions.</summary>
    Revoked,

    /// <summary>The agent now leads these partitions.</summary>
    LeaderGained,

    /// <summary>The agent no longer leads these partitions.</summary>
    LeaderLost,

    /// <summary>
    /// The connection to the agent was lost: what earlier changes said may be out of date until
    /// the next <see cref="Reset"/>. Sent once per outage.
    /// </summary>
    ConnectionLost,
}

/// <summary>One change of an agent's assignment.</summary>
/// <param name="Kind">What changed.</param>
/// <param name="Epoch">The assignment epoch it belongs to (0 for <see cref="AssignmentChangeKind.Reset"/> and <see cref="AssignmentChangeKind.ConnectionLost"/>).</param>
/// <param name="Partitions">The partitions concerned, ascending.</param>
public sealed record AssignmentChange(AssignmentChangeKind Kind, long Epoch, IReadOnlyList<int> Partitions);
