namespace DataCluster.Replication.Messages;

/// <summary>
/// Member to member, about no partition: "I am alive, and this is my incarnation". Sent to every
/// member this one shares a partition with when nothing else went to it for a heartbeat
/// interval, so that peers stay known alive while their partitions are quiet (a leader sends no
/// per-partition heartbeat to a follower that holds its whole log and commit point). A changed
/// incarnation tells the receiver the sender restarted and lost what it kept in memory.
/// </summary>
/// <param name="Incarnation">Chosen anew each time the sender's node starts.</param>
public sealed record NodePing(long Incarnation) : PartitionMessage(NodePing.NoPartition, 0)
{
    /// <summary>The partition number a node-level message carries.</summary>
    public const int NoPartition = -1;
}
