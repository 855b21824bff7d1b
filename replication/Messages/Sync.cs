using DataCluster.Storage;

namespace DataCluster.Replication.Messages;

/// <summary>A syncing leader asks the replica with the most up-to-date log for the records it lacks.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Term">The leader's term (the replica must have promised it to the sender).</param>
/// <param name="FromOffset">The first offset wanted.</param>
public sealed record Fetch(int Partition, long Term, long FromOffset)
    : PartitionMessage(Partition, Term);

/// <summary>The records a <see cref="Fetch"/> asked for, as many as fit one batch.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Term">The term of the fetch.</param>
/// <param name="FromOffset">The fetch's first offset.</param>
/// <param name="StartOffset">The replica's log start (above <paramref name="FromOffset"/> when it no longer holds it).</param>
/// <param name="TermBefore">Term of the record before <paramref name="StartOffset"/>.</param>
/// <param name="Records">Consecutive records from <c>max(FromOffset, StartOffset)</c>.</param>
/// <param name="NextOffset">One past the replica's last record.</param>
public sealed record FetchReply(
    int Partition,
    long Term,
    long FromOffset,
    long StartOffset,
    long TermBefore,
    IReadOnlyList<LogRecord> Records,
    long NextOffset)
    : PartitionMessage(Partition, Term);
