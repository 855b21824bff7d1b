using System.Diagnostics.CodeAnalysis;

namespace DataCluster.Replication;

/// <summary>
/// The replicas a node holds, by partition number: found in constant time (every message and
/// proposal looks one up) and walked in partition order. Partition numbers are small and dense
/// (0 to the cluster's partition count), so a slot per number is the whole index.
/// </summary>
/// <remarks>Not thread-safe: owned by its <see cref="ReplicaNode"/>. It must not change while it is walked.</remarks>
internal sealed class PartitionTable
{
    private PartitionReplica?[] _slots = new PartitionReplica?[64];

    public int Count { get; private set; }

    /// <summary>The replicas in partition order.</summary>
    public IEnumerable<PartitionReplica> Values
    {
        get
        {
            foreach (var replica in _slots)
            {
                if (replica is not null)
                {
                    yield return replica;
                }
            }
        }
    }

    /// <summary>The replica of <paramref name="partition"/>; false for a number this node holds none of, negative or out of range included.</summary>
    public bool TryGetValue(int partition, [NotNullWhen(true)] out PartitionReplica? replica)
    {
        replica = (uint)partition < (uint)_slots.Length ? _slots[partition] : null;
        return replica is not null;
    }

    public bool ContainsKey(int partition) => TryGetValue(partition, out _);

    /// <summary>Holds <paramref name="replica"/> under <paramref name="partition"/>, which must be free.</summary>
    public void Add(int partition, PartitionReplica replica)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentNullException.ThrowIfNull(replica);
        if (partition >= _slots.Length)
        {
            Array.Resize(ref _slots, Math.Max(partition + 1, _slots.Length * 2));
        }

        if (_slots[partition] is not null)
        {
            throw new InvalidOperationException($"partition {partition} already has a replica");
        }

        _slots[partition] = replica;
        Count++;
    }

    public void Remove(int partition)
    {
        if (TryGetValue(partition, out _))
        {
            _slots[partition] = null;
            Count--;
        }
    }
}
