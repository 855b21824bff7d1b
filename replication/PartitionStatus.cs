namespace DataCluster.Replication;

/// <summary>One partition as this member sees it, for metrics and <c>/v1/assignments</c>.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Role">What this member does for it.</param>
/// <param name="Term">The term this member has promised (or leads).</param>
/// <param name="Leader">The leader of that term, when known.</param>
/// <param name="LogStart">First offset held.</param>
/// <param name="LogEnd">One past the last record.</param>
/// <param name="DurableOffset">Every record below it is durable here.</param>
/// <param name="CommitOffset">Every record below it is known committed.</param>
/// <param name="Followers">For a leader, each follower's progress; empty otherwise.</param>
/// <param name="ConsumedOffset">Every data record below it was consumed by the leader's app, as this member knows it (never above <paramref name="CommitOffset"/>).</param>
/// <param name="LastLogTerm">The term of the last record in this member's log (0 when empty). A follower whose last log term is <paramref name="Term"/> holds records of its leader's term, the first of which is the TermStart: that leader has finished its sync and takes writes.</param>
public sealed record PartitionStatus(
    int Partition,
    ReplicaRole Role,
    long Term,
    string? Leader,
    long LogStart,
    long LogEnd,
    long DurableOffset,
    long CommitOffset,
    IReadOnlyList<FollowerStatus> Followers,
    long ConsumedOffset = 0,
    long LastLogTerm = 0)
{
    /// <summary>This member follows a leader that has appended its TermStart, so that leader accepts writes.</summary>
    public bool FollowsActiveLeader => Role == ReplicaRole.Following && Leader is not null && Term != 0 && LastLogTerm == Term;
}

/// <summary>A follower's progress as its leader sees it.</summary>
/// <param name="Member">The follower.</param>
/// <param name="MatchedOffset">Every record below it is durable on the follower and matches the leader.</param>
/// <param name="Lag">Records the follower lacks (leader's log end minus <paramref name="MatchedOffset"/>).</param>
/// <param name="Promised">True once the follower promised the leader's term.</param>
/// <param name="KnownDown">True when it has not answered for <see cref="ReplicationOptions.DownAfterMs"/>.</param>
/// <param name="StandsInFor">For a substitute, the assigned replica it stands in for; null for an assigned replica.</param>
public sealed record FollowerStatus(string Member, long MatchedOffset, long Lag, bool Promised, bool KnownDown, string? StandsInFor = null);
