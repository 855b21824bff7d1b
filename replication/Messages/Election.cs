using DataCluster.Storage;

namespace DataCluster.Replication.Messages;

/// <summary>
/// A would-be leader asks for a promise: never accept anything from a term below
/// <see cref="PartitionMessage.Term"/> again (Paxos phase 1). Sent to every member of every
/// replica set the leader must hear a majority of.
/// </summary>
/// <param name="Partition">The partition.</param>
/// <param name="Term">The term the sender wants to lead.</param>
/// <param name="Replicas">The replica set of that term (the sender's assignment, leader first).</param>
public sealed record Prepare(int Partition, long Term, IReadOnlyList<string> Replicas)
    : PartitionMessage(Partition, Term);

/// <summary>
/// A replica's promise for <see cref="PartitionMessage.Term"/>, sent only once the promise is
/// durable. It tells the leader what it needs to find every committed record: the replica's
/// previous promise and the shape of its log.
/// </summary>
/// <param name="Partition">The partition.</param>
/// <param name="Term">The term promised.</param>
/// <param name="PriorTerm">The term this replica had promised before (0 when none).</param>
/// <param name="PriorReplicas">The replica set of <paramref name="PriorTerm"/>.</param>
/// <param name="LastTerm">Term of the replica's last log record.</param>
/// <param name="LastTermReplicas">The replica set of <paramref name="LastTerm"/> from its TermStart record; empty when the log no longer holds it.</param>
/// <param name="StartOffset">The replica's log start.</param>
/// <param name="NextOffset">One past the replica's last record.</param>
/// <param name="Terms">The replica's term history (where each term starts in its log).</param>
/// <param name="EarlierReplicaSets">Replica sets the replica knows were replaced before a term of a newer set committed (<see cref="Storage.ReplicaState.EarlierReplicaSets"/>).</param>
/// <param name="ConsumedOffset">The app's consumed offset as the replica knows it (never above its commit point): the new leader resumes delivery from the highest one.</param>
public sealed record Promise(
    int Partition,
    long Term,
    long PriorTerm,
    IReadOnlyList<string> PriorReplicas,
    long LastTerm,
    IReadOnlyList<string> LastTermReplicas,
    long StartOffset,
    long NextOffset,
    IReadOnlyList<TermStart> Terms,
    IReadOnlyList<IReadOnlyList<string>> EarlierReplicaSets,
    long ConsumedOffset = 0)
    : PartitionMessage(Partition, Term);

/// <summary>Why a replica refused a request.</summary>
public enum RefusalReason
{
    /// <summary>The request's term is below the replica's promise (or equal but promised to another leader): the sender is deposed.</summary>
    StaleTerm = 0,

    /// <summary>The request's term is above the replica's promise: the sender must send <see cref="Prepare"/> first.</summary>
    NotPrepared = 1,
}

/// <summary>A replica refuses a request of <see cref="PartitionMessage.Term"/> and says what it has promised.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Term">The term of the refused request.</param>
/// <param name="Reason">Why.</param>
/// <param name="PromisedTerm">The replica's promised term.</param>
/// <param name="PromisedTo">The leader it promised, or null.</param>
public sealed record Refusal(int Partition, long Term, RefusalReason Reason, long PromisedTerm, string? PromisedTo)
    : PartitionMessage(Partition, Term);
