namespace DataCluster.Ring;

/// <summary>
/// An immutable, versioned snapshot of partition ownership: for every partition the ordered
/// list of member ids holding a replica, the first being the partition leader.
/// </summary>
/// <remarks>
/// Immutable and therefore safe to share between threads. A snapshot only replaces one with a
/// lower epoch (<see cref="Supersedes"/>, <see cref="AssignmentHolder"/>). Lookups by partition do
/// not allocate. A partition has no leader when its list is empty or when its first replica is a
/// draining member, which happens only while no active member exists to take over.
/// </remarks>
public sealed partial class Assignment : IEquatable<Assignment>
{
    // Replica lists stored back to back: partition p owns replicas[offsets[p]..offsets[p + 1]].
    private readonly string[] _replicas;
    private readonly int[] _offsets;
    private readonly string?[] _leaders;
    private readonly string[] _members;
    private readonly string[] _draining;

    private Assignment(long epoch, int partitions, int replicationFactor, string[] replicas, int[] offsets, string[] draining)
    {
        Epoch = epoch;
        Partitions = partitions;
        ReplicationFactor = replicationFactor;
        _replicas = replicas;
        _offsets = offsets;

        var mentioned = new SortedSet<string>(replicas, StringComparer.Ordinal);
        _members = [.. mentioned];
        // Only draining members that still hold replicas matter; keeping others would make two
        // snapshots with the same replicas compare different.
        _draining = [.. draining.Where(mentioned.Contains).Distinct().Order(StringComparer.Ordinal)];

        _leaders = new string?[partitions];
        for (var p = 0; p < partitions; p++)
        {
            if (offsets[p + 1] > offsets[p])
            {
                var first = replicas[offsets[p]];
                _leaders[p] = Array.BinarySearch(_draining, first, StringComparer.Ordinal) >= 0 ? null : first;
            }
        }
    }

    /// <summary>Version of this snapshot; only ever increases. The empty snapshot has epoch 0.</summary>
    public long Epoch { get; }

    /// <summary>Number of partitions.</summary>
    public int Partitions { get; }

    /// <summary>Configured replication factor; lists are shorter when fewer active members exist.</summary>
    public int ReplicationFactor { get; }

    /// <summary>Every member id that holds at least one replica, in ordinal order.</summary>
    public IReadOnlyList<string> Members => _members;

    /// <summary>Draining members that still hold replicas (they lead nothing), in ordinal order.</summary>
    public IReadOnlyList<string> Draining => _draining;

    /// <summary>True when no partition has a replica.</summary>
    public bool IsEmpty => _replicas.Length == 0;

    /// <summary>The snapshot with no replicas at epoch 0: the start of every history.</summary>
    public static Assignment Empty(int partitions, int replicationFactor)
    {
        Validate(partitions, replicationFactor);
        return new Assignment(0, partitions, replicationFactor, [], new int[partitions + 1], []);
    }

    /// <summary>
    /// Builds a snapshot from raw replica lists, for example one decoded from storage.
    /// Throws <see cref="ArgumentException"/> when the lists do not describe a valid snapshot.
    /// </summary>
    /// <param name="epoch">Snapshot version, at least 0.</param>
    /// <param name="partitions">Partition count; must equal the number of lists.</param>
    /// <param name="replicationFactor">Configured factor; no list may be longer.</param>
    /// <param name="replicas">Per partition, member ids, leader first, no duplicates.</param>
    /// <param name="draining">Members that are draining; a partition whose first replica is one has no leader.</param>
    public static Assignment Create(
        long epoch,
        int partitions,
        int replicationFactor,
        IReadOnlyList<IReadOnlyList<string>> replicas,
        IEnumerable<string>? draining = null)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        Validate(partitions, replicationFactor);
        if (replicas.Count != partitions)
        {
            throw new ArgumentException(
                $"expected one replica list per partition ({partitions}) but got {replicas.Count}; the partition count is fixed when the cluster is created",
                nameof(replicas));
        }

        var offsets = new int[partitions + 1];
        var flat = new List<string>();
        for (var p = 0; p < partitions; p++)
        {
            var list = replicas[p] ?? throw new ArgumentException($"partition {p} has no replica list; use an empty list instead", nameof(replicas));
            if (list.Count > replicationFactor)
            {
                throw new ArgumentException(
                    $"partition {p} has {list.Count} replicas but the replication factor is {replicationFactor}",
                    nameof(replicas));
            }

            for (var i = 0; i < list.Count; i++)
            {
                var id = list[i];
                if (string.IsNullOrEmpty(id))
                {
                    throw new ArgumentException($"partition {p} names an empty member id at position {i}", nameof(replicas));
                }

                for (var j = 0; j < i; j++)
                {
                    if (string.Equals(list[j], id, StringComparison.Ordinal))
                    {
                        throw new ArgumentException($"partition {p} lists member '{id}' twice; a member holds at most one replica of a partition", nameof(replicas));
                    }
                }

                flat.Add(id);
            }

            offsets[p + 1] = flat.Count;
        }

        return new Assignment(epoch, partitions, replicationFactor, [.. flat], offsets, [.. draining ?? []]);
    }

    /// <summary>The replicas of a partition, leader first. Does not allocate.</summary>
    public ReadOnlySpan<string> ReplicasOf(int partition)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partition, Partitions);
        return _replicas.AsSpan(_offsets[partition], _offsets[partition + 1] - _offsets[partition]);
    }

    /// <summary>The leader of a partition, or null when it has none.</summary>
    public string? LeaderOf(int partition)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partition, Partitions);
        return _leaders[partition];
    }

    /// <summary>Number of replicas <paramref name="memberId"/> holds.</summary>
    public int ReplicaCountOf(string memberId)
    {
        var count = 0;
        foreach (var id in _replicas)
        {
            if (string.Equals(id, memberId, StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Number of partitions <paramref name="memberId"/> leads.</summary>
    public int LeaderCountOf(string memberId)
    {
        var count = 0;
        foreach (var id in _leaders)
        {
            if (string.Equals(id, memberId, StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The replica lists as plain lists, for encoding.</summary>
    public IReadOnlyList<IReadOnlyList<string>> ToReplicaLists()
    {
        var lists = new IReadOnlyList<string>[Partitions];
        for (var p = 0; p < Partitions; p++)
        {
            lists[p] = ReplicasOf(p).ToArray();
        }

        return lists;
    }

    /// <summary>
    /// True when this snapshot may replace <paramref name="current"/>: there is none, or it has
    /// the same partition count and a strictly higher epoch.
    /// </summary>
    public bool Supersedes(Assignment? current) =>
        current is null || (Epoch > current.Epoch && Partitions == current.Partitions);

    /// <summary>
    /// True when both snapshots place the same replicas in the same order with the same leaders,
    /// whatever their epochs. Callers use it to skip publishing an assignment that changed nothing.
    /// </summary>
    public bool SameReplicas(Assignment other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Partitions == other.Partitions
            && ReplicationFactor == other.ReplicationFactor
            && _offsets.AsSpan().SequenceEqual(other._offsets)
            && _replicas.AsSpan().SequenceEqual(other._replicas)
            && _draining.AsSpan().SequenceEqual(other._draining);
    }

    /// <summary>Equal epoch and <see cref="SameReplicas"/>.</summary>
    public bool Equals(Assignment? other) =>
        other is not null && (ReferenceEquals(this, other) || (Epoch == other.Epoch && SameReplicas(other)));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Assignment);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Epoch);
        hash.Add(Partitions);
        foreach (var id in _replicas)
        {
            hash.Add(id, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"Assignment(epoch {Epoch}, {Partitions} partitions, factor {ReplicationFactor}, {_members.Length} members)";

    /// <summary>A copy of this snapshot with another epoch.</summary>
    internal Assignment WithEpoch(long epoch) => new(epoch, Partitions, ReplicationFactor, _replicas, _offsets, _draining);

    internal static Assignment FromFlat(long epoch, int partitions, int replicationFactor, string[] replicas, int[] offsets, string[] draining) =>
        new(epoch, partitions, replicationFactor, replicas, offsets, draining);

    private static void Validate(int partitions, int replicationFactor)
    {
        if (partitions is < AssignmentSettings.MinPartitions or > AssignmentSettings.MaxPartitions)
        {
            throw new ArgumentOutOfRangeException(nameof(partitions), partitions, $"partitions must be between {AssignmentSettings.MinPartitions} and {AssignmentSettings.MaxPartitions}");
        }

        if (replicationFactor is < AssignmentSettings.MinReplicationFactor or > AssignmentSettings.MaxReplicationFactor)
        {
            throw new ArgumentOutOfRangeException(nameof(replicationFactor), replicationFactor, $"replicationFactor must be between {AssignmentSettings.MinReplicationFactor} and {AssignmentSettings.MaxReplicationFactor}");
        }
    }
}
