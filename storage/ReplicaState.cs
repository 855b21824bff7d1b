namespace DataCluster.Storage;

/// <summary>
/// What a member must remember about one partition besides its log: the newest term it has
/// promised to a leader (fencing), and the commit point it last learned.
/// </summary>
/// <param name="PromisedTerm">The highest term this replica has promised; it refuses anything older.</param>
/// <param name="PromisedTo">The leader the promise went to; null before any promise.</param>
/// <param name="PromisedReplicas">The replica set that leader announced for its term.</param>
/// <param name="CommitOffset">Every record below this offset is known committed (may lag; it is learned again from the leader).</param>
/// <param name="ConsumedOffset">Every data record below this offset was consumed by the app (delivery); 0 when unknown.</param>
/// <param name="EarlierReplicaSets">
/// Replica sets of the partition this member knew (from assignments or promises) that a newer set
/// replaced before any term of the newer set committed its first record: a leader must still hear
/// from a majority of each. Null when none.
/// </param>
/// <param name="AssignedReplicas">
/// The partition's replica set in the newest assignment this member took. Assignments themselves
/// are not kept, and a restarted member sees only the newest one: this is what lets it know which
/// set that one replaced. Null when never saved.
/// </param>
public sealed record ReplicaState(
    long PromisedTerm,
    string? PromisedTo,
    IReadOnlyList<string> PromisedReplicas,
    long CommitOffset,
    long ConsumedOffset = 0,
    IReadOnlyList<IReadOnlyList<string>>? EarlierReplicaSets = null,
    IReadOnlyList<string>? AssignedReplicas = null)
{
    /// <summary>The state of a partition this member never took part in.</summary>
    public static ReplicaState Initial { get; } = new(0, null, [], 0, 0);
}

/// <summary>
/// Durable per-partition <see cref="ReplicaState"/> of one member, kept for all partitions
/// together so that many changes cost one fsync.
/// </summary>
/// <remarks>Not thread-safe: one caller at a time.</remarks>
public interface IReplicaStateStore
{
    /// <summary>Every partition's saved state; partitions never saved are absent.</summary>
    IReadOnlyDictionary<int, ReplicaState> Load();

    /// <summary>Saves the given partitions' states (others keep theirs). Durable once the task completes; after a crash either all of a call's changes are there or none.</summary>
    ValueTask SaveAsync(IReadOnlyDictionary<int, ReplicaState> changed, CancellationToken cancellationToken = default);
}
