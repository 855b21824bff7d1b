namespace DataCluster.Replication;

/// <summary>What became of a call to <see cref="ReplicaNode.Propose"/>.</summary>
public enum ProposeStatus
{
    /// <summary>The record was appended (or, for a retry, found); its completion follows in a later <see cref="Ready"/>.</summary>
    Accepted = 0,

    /// <summary>This member does not lead the partition; <see cref="ProposeResult.Leader"/> names who should (HTTP 421).</summary>
    NotLeader = 1,

    /// <summary>This member leads but is still syncing its log; retry after <see cref="ProposeResult.RetryAfterMs"/> (HTTP 503).</summary>
    Syncing = 2,

    /// <summary>Replicas the commit level needs are known down (HTTP 503).</summary>
    CommitLevelCannotBeMet = 3,

    /// <summary>A retry whose sequence is older than what the leader remembers for the producer; it cannot tell whether the original was written (HTTP 409).</summary>
    SequenceOutOfWindow = 4,

    /// <summary>This member's copy of the partition is damaged (<see cref="ReplicaRole.Damaged"/>); it accepts no writes for it (HTTP 503).</summary>
    Damaged = 5,
}

/// <summary>The answer to a proposal: a ticket when accepted, a reason otherwise.</summary>
/// <param name="Status">Accepted or why not.</param>
/// <param name="Ticket">Identifies the completion that will follow; 0 when refused.</param>
/// <param name="Offset">The record's offset when accepted (for a retry: the original's); -1 otherwise.</param>
/// <param name="Duplicate">True when this was a retry of a sequence the leader already had.</param>
/// <param name="Leader">The member believed to lead the partition, when known.</param>
/// <param name="RetryAfterMs">A suggested wait before retrying a refusal; 0 when accepted.</param>
/// <param name="Message">A sentence for the client when refused; null when accepted.</param>
public readonly record struct ProposeResult(
    ProposeStatus Status,
    long Ticket,
    long Offset,
    bool Duplicate,
    string? Leader,
    long RetryAfterMs,
    string? Message)
{
    /// <summary>True when <see cref="Status"/> is <see cref="ProposeStatus.Accepted"/>.</summary>
    public bool IsAccepted => Status == ProposeStatus.Accepted;

    internal static ProposeResult Refused(ProposeStatus status, string? leader, long retryAfterMs, string message) =>
        new(status, 0, -1, false, leader, retryAfterMs, message);
}

/// <summary>How a proposal ended.</summary>
public enum ProposalOutcome
{
    /// <summary>The commit level was met.</summary>
    Acknowledged = 0,

    /// <summary>Not met within <see cref="ReplicationOptions.ProposalTimeoutMs"/>. The record may still be committed later.</summary>
    TimedOut = 1,

    /// <summary>The leader lost its term or its leadership first. The record may still be committed by a later leader, or lost.</summary>
    NotAcknowledged = 2,
}

/// <summary>The end of one proposal.</summary>
/// <param name="Ticket">The ticket <see cref="ReplicaNode.Propose"/> returned.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">The record's offset.</param>
/// <param name="Term">The term of the record.</param>
/// <param name="Level">The commit level asked for.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Reason">Why, when not acknowledged.</param>
public sealed record Completion(long Ticket, int Partition, long Offset, long Term, CommitLevel Level, ProposalOutcome Outcome, string? Reason);
