namespace DataCluster.Replication;

/// <summary>How a <see cref="ReplicaNode.Consume"/> call ended.</summary>
public enum ConsumeStatus
{
    /// <summary>The consumed offset moved forward to the offset given.</summary>
    Advanced,

    /// <summary>The offset given is at or below the consumed offset already known: nothing changed.</summary>
    Unchanged,

    /// <summary>This member does not lead the partition (or no longer in the term given, or is still syncing).</summary>
    NotLeader,

    /// <summary>The offset given is above the commit point: records not yet committed cannot have been consumed.</summary>
    BeyondCommit,
}

/// <summary>The answer to <see cref="ReplicaNode.Consume"/>.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="ConsumedOffset">The partition's consumed offset after the call (this member's view).</param>
/// <param name="CommitOffset">The partition's commit point on this member.</param>
/// <param name="Leader">Who leads the partition when it is not this member, when known.</param>
public readonly record struct ConsumeResult(ConsumeStatus Status, long ConsumedOffset, long CommitOffset, string? Leader);

/// <summary>Where delivery of a partition this member leads stands (<see cref="ReplicaNode.DeliveryPosition"/>).</summary>
/// <param name="Term">The leader's term; delivery of another term is another leadership.</param>
/// <param name="CommitOffset">Every record below it is committed.</param>
/// <param name="ConsumedOffset">Every data record below it was consumed; delivery continues from here.</param>
public readonly record struct DeliveryPosition(long Term, long CommitOffset, long ConsumedOffset);
