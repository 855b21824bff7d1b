namespace DataCluster.Ring;

/// <summary>
/// Routes keys with one assignment snapshot: key to partition to leader and replicas.
/// </summary>
/// <remarks>Immutable and thread-safe. No method allocates for keys up to
/// <see cref="KeyHash.StackKeyBytes"/> UTF-8 bytes. Build a new lookup for a new snapshot.</remarks>
public sealed class RingLookup
{
    /// <summary>Routes with <paramref name="assignment"/>.</summary>
    public RingLookup(Assignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        Assignment = assignment;
    }

    /// <summary>The snapshot this lookup routes with.</summary>
    public Assignment Assignment { get; }

    /// <summary>The snapshot's epoch.</summary>
    public long Epoch => Assignment.Epoch;

    /// <summary>The partition of a string key.</summary>
    public int PartitionOf(string key) => KeyHash.PartitionOf(key, Assignment.Partitions);

    /// <summary>The partition of a key given as UTF-8 bytes.</summary>
    public int PartitionOf(ReadOnlySpan<byte> utf8Key) => KeyHash.PartitionOf(utf8Key, Assignment.Partitions);

    /// <summary>The leader of the key's partition, or null when it has none.</summary>
    public string? LeaderOf(string key) => Assignment.LeaderOf(PartitionOf(key));

    /// <summary>The leader of the key's partition, or null when it has none.</summary>
    public string? LeaderOf(ReadOnlySpan<byte> utf8Key) => Assignment.LeaderOf(PartitionOf(utf8Key));

    /// <summary>The replicas of the key's partition, leader first.</summary>
    public ReadOnlySpan<string> ReplicasOf(string key) => Assignment.ReplicasOf(PartitionOf(key));

    /// <summary>The replicas of the key's partition, leader first.</summary>
    public ReadOnlySpan<string> ReplicasOf(ReadOnlySpan<byte> utf8Key) => Assignment.ReplicasOf(PartitionOf(utf8Key));
}
