using DataCluster.Storage;

namespace DataCluster.Replication.Messages;

/// <summary>
/// Leader to follower: records that follow the record at <paramref name="PrevOffset"/> of term
/// <paramref name="PrevTerm"/>, and the leader's commit point. A follower appends only when its
/// record at <paramref name="PrevOffset"/> has that term. With <paramref name="ResetStart"/> at
/// 0 or more the follower first drops its log and restarts it empty at that offset, with
/// <paramref name="PrevTerm"/> as the term before it (it was behind the leader's retained log
/// or diverged before it).
/// </summary>
/// <param name="Partition">The partition.</param>
/// <param name="Term">The leader's term.</param>
/// <param name="PrevOffset">Offset of the record before the first one carried (-1 for the start of an empty log).</param>
/// <param name="PrevTerm">Term of that record in the leader's log.</param>
/// <param name="Records">Consecutive records from <c>PrevOffset + 1</c>; may be empty.</param>
/// <param name="CommitOffset">Every record below this offset is committed.</param>
/// <param name="ResetStart">When 0 or more, reset to an empty log at this offset first; -1 otherwise.</param>
/// <param name="ConsumedOffset">Every data record below this offset was consumed by the leader's app (never above <paramref name="CommitOffset"/>).</param>
public sealed record Append(
    int Partition,
    long Term,
    long PrevOffset,
    long PrevTerm,
    IReadOnlyList<LogRecord> Records,
    long CommitOffset,
    long ResetStart = -1,
    long ConsumedOffset = 0)
    : PartitionMessage(Partition, Term);

/// <summary>
/// Follower to leader, sent only after the follower's log is flushed: every record below
/// <paramref name="MatchedOffset"/> is durable on the follower and equal to the leader's.
/// Also the answer to a <see cref="Heartbeat"/>.
/// </summary>
/// <param name="Partition">The partition.</param>
/// <param name="Term">The leader's term.</param>
/// <param name="MatchedOffset">One past the last record known to match the leader's log in this term.</param>
/// <param name="CommitOffset">The commit point the follower has learned, so the leader knows when it need not be told again.</param>
/// <param name="ConsumedOffset">The consumed offset the follower has learned, likewise.</param>
public sealed record AppendAck(int Partition, long Term, long MatchedOffset, long CommitOffset = 0, long ConsumedOffset = 0)
    : PartitionMessage(Partition, Term);

/// <summary>
/// Follower to leader: the record before an <see cref="Append"/> does not match. Carries the
/// follower's term history so the leader finds the divergence point in one step (as Kafka's
/// OffsetsForLeaderEpoch does) instead of probing record by record.
/// </summary>
/// <param name="Partition">The partition.</param>
/// <param name="Term">The leader's term.</param>
/// <param name="StartOffset">The follower's log start.</param>
/// <param name="NextOffset">One past the follower's last record.</param>
/// <param name="Terms">The follower's term history.</param>
public sealed record AppendMismatch(int Partition, long Term, long StartOffset, long NextOffset, IReadOnlyList<TermStart> Terms)
    : PartitionMessage(Partition, Term);

/// <summary>Leader to follower when there is nothing to append: the leader is alive and where its commit point is.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Term">The leader's term.</param>
/// <param name="CommitOffset">Every record below this offset is committed.</param>
/// <param name="ConsumedOffset">Every data record below this offset was consumed by the leader's app (never above <paramref name="CommitOffset"/>).</param>
public sealed record Heartbeat(int Partition, long Term, long CommitOffset, long ConsumedOffset = 0)
    : PartitionMessage(Partition, Term);
