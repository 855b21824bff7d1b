namespace DataCluster.Replication.Messages;

/// <summary>
/// Everything one member sends another in one step: messages of many partitions in one batch,
/// so that one long-lived stream per pair of members carries the whole data plane between them.
/// </summary>
/// <remarks>Immutable once built. Order inside <paramref name="Items"/> matters only within a partition.</remarks>
/// <param name="Items">The partition messages, in the order they were produced.</param>
public sealed record PeerMessage(IReadOnlyList<PartitionMessage> Items);

/// <summary>A message about one partition. Every message names the term it belongs to.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Term">The term the sender acts in (for a reply: the term of the request it answers).</param>
public abstract record PartitionMessage(int Partition, long Term);
