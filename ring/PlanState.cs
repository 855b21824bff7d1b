namespace DataCluster.Ring;

/// <summary>
/// Working state of one assignment run over the active members, numbered 0..N-1 in ordinal
/// order of their ids. Not thread-safe; lives for one <see cref="Assigner.Assign"/> call.
/// </summary>
internal sealed class PlanState
{
    public PlanState(int partitions, int replicas, int members, ulong[] memberHashes)
    {
        Partitions = partitions;
        Replicas = replicas;
        Members = members;
        MemberHashes = memberHashes;
        Slots = new int[partitions * replicas];
        Count = new int[partitions];
        Load = new int[members];
        Quota = new int[members];
    }

    public int Partitions { get; }

    /// <summary>Replicas each partition gets: min(factor, active members).</summary>
    public int Replicas { get; }

    public int Members { get; }

    /// <summary>XXH64 of each member id; the seed of every tie-break.</summary>
    public ulong[] MemberHashes { get; }

    /// <summary>Partition p's members in Slots[p*Replicas .. p*Replicas+Count[p]]; slot 0 is the
    /// provisional leader that placement requirements are measured from.</summary>
    public int[] Slots { get; }

    public int[] Count { get; }

    /// <summary>Replicas held per member.</summary>
    public int[] Load { get; }

    /// <summary>Replicas each member should hold: floor or ceiling of the mean.</summary>
    public int[] Quota { get; }

    public Span<int> Of(int partition) => Slots.AsSpan(partition * Replicas, Count[partition]);

    public bool Holds(int partition, int member) => Of(partition).Contains(member);

    public void Append(int partition, int member)
    {
        Slots[(partition * Replicas) + Count[partition]] = member;
        Count[partition]++;
        Load[member]++;
    }

    /// <summary>
    /// A deterministic, well-spread tie-break between members for one partition: the same
    /// inputs always choose the same member, and different partitions prefer different members,
    /// so ties do not all land on the lowest id.
    /// </summary>
    public ulong TieBreak(int member, int partition)
    {
        return Mix(MemberHashes[member] ^ ((ulong)partition * 0x9E3779B97F4A7C15UL));
    }

    /// <summary>The SplitMix64 finaliser: a cheap bijection that spreads every input bit.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A deterministic hash of a partition and one of its slots.</summary>
    public static ulong SlotHash(int partition, int slot) => Mix(((ulong)partition << 8) | (uint)slot);

    /// <summary>
    /// Splits <paramref name="total"/> units into per-member targets of floor or ceiling of the
    /// mean. The ceilings go to the members that already hold the most, so the fewest units move;
    /// equal holdings are ordered by member hash.
    /// </summary>
    public int[] Targets(int total, int[] held)
    {
        var targets = new int[Members];
        var order = new int[Members];
        for (var m = 0; m < Members; m++)
        {
            order[m] = m;
            targets[m] = total / Members;
        }

        Array.Sort(order, (a, b) =>
        {
            var byHeld = held[b].CompareTo(held[a]);
            if (byHeld != 0)
            {
                return byHeld;
            }

            var byHash = MemberHashes[a].CompareTo(MemberHashes[b]);
            return byHash != 0 ? byHash : a.CompareTo(b);
        });
        for (var i = 0; i < total % Members; i++)
        {
            targets[order[i]]++;
        }

        return targets;
    }
}
