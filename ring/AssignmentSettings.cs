namespace DataCluster.Ring;

/// <summary>
/// What the assignment must produce: the fixed partition count, the replication factor and the
/// placement strategy. The constructor validates every value and throws an
/// <see cref="ArgumentException"/> whose message says how to fix it.
/// </summary>
/// <param name="Partitions">Number of partitions, fixed when the cluster is created.</param>
/// <param name="ReplicationFactor">Replicas per partition, leader included.</param>
/// <param name="OtherZoneReplicas">Replicas to place in other zones of the leader's region.</param>
/// <param name="OtherRegionReplicas">Replicas to place in regions other than the leader's.</param>
public sealed record AssignmentSettings(int Partitions, int ReplicationFactor, int OtherZoneReplicas = 0, int OtherRegionReplicas = 0)
{
    /// <summary>The smallest partition count accepted.</summary>
    public const int MinPartitions = 1;

    /// <summary>The smallest replication factor accepted.</summary>
    public const int MinReplicationFactor = 1;

    /// <summary>The largest partition count accepted. More partitions cost memory on every agent
    /// and add nothing to balance at the member counts a StatefulSet reaches.</summary>
    public const int MaxPartitions = 65536;

    /// <summary>The largest replication factor accepted.</summary>
    public const int MaxReplicationFactor = 16;

    /// <summary>Number of partitions, 1..<see cref="MaxPartitions"/>.</summary>
    public int Partitions { get; } = Partitions is >= MinPartitions and <= MaxPartitions
        ? Partitions
        : throw new ArgumentOutOfRangeException(nameof(Partitions), Partitions,
            $"partitions must be between {MinPartitions} and {MaxPartitions}; choose at least 16 per expected member so partitions spread evenly");

    /// <summary>Replicas per partition including the leader, 1..<see cref="MaxReplicationFactor"/>.</summary>
    public int ReplicationFactor { get; } = ReplicationFactor is >= MinReplicationFactor and <= MaxReplicationFactor
        ? ReplicationFactor
        : throw new ArgumentOutOfRangeException(nameof(ReplicationFactor), ReplicationFactor,
            $"replicationFactor must be between {MinReplicationFactor} and {MaxReplicationFactor}; 3 is the usual choice");

    /// <summary>Replicas wanted in other zones of the leader's region; at most factor - 1.</summary>
    public int OtherZoneReplicas { get; } = OtherZoneReplicas >= 0 && OtherZoneReplicas <= ReplicationFactor - 1
        ? OtherZoneReplicas
        : throw new ArgumentOutOfRangeException(nameof(OtherZoneReplicas), OtherZoneReplicas,
            $"otherZoneReplicas must be between 0 and replicationFactor - 1 ({ReplicationFactor - 1}), because the leader takes one replica");

    /// <summary>Replicas wanted in other regions; with <see cref="OtherZoneReplicas"/> at most factor - 1.</summary>
    public int OtherRegionReplicas { get; } = OtherRegionReplicas >= 0 && OtherRegionReplicas + OtherZoneReplicas <= ReplicationFactor - 1
        ? OtherRegionReplicas
        : throw new ArgumentOutOfRangeException(nameof(OtherRegionReplicas), OtherRegionReplicas,
            $"otherRegionReplicas must be at least 0 and otherZoneReplicas + otherRegionReplicas at most replicationFactor - 1 ({ReplicationFactor - 1}); lower one of them or raise replicationFactor");
}
