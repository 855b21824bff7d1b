namespace DataCluster.Ring;

/// <summary>
/// Chooses members for empty replica slots. Ranked by: meets the slot's requirement
/// (mandatory), below its target, most room below target, then the strategy's preference (for a
/// required slot a zone or region the partition does not use yet; for a spare slot the leader's
/// zone, then its region); the members that tie on all of these are chosen between by a hash of
/// the partition, so ties spread evenly and deterministically. Room comes before preference
/// because filling the emptiest members first is what lets the last empty slots find a member
/// that is below target and not yet a replica; ranked the other way, a crash moved up to 30%
/// more replicas than the lost member held.
/// </summary>
/// <remarks>
/// A first assignment fills every slot, so choosing must not scan every member: members are kept
/// in buckets per location group and room (target minus load), and a choice looks only at the
/// top bucket of each group. Not thread-safe; one per fill.
/// </remarks>
internal sealed class CandidatePool
{
    private readonly PlanState state;
    private readonly Topology topology;
    private readonly Dictionary<int, List<int>>[] buckets;
    private readonly int[] top;
    private readonly int[] room;
    private readonly int[] indexInBucket;
    private readonly int[] preferenceOfGroup;
    private readonly int[] levelOfGroup;
    private readonly int[] mark;
    private int stamp;

    public CandidatePool(PlanState state, Topology topology)
    {
        this.state = state;
        this.topology = topology;
        var groups = topology.GroupCount;
        buckets = new Dictionary<int, List<int>>[groups];
        top = new int[groups];
        for (var g = 0; g < groups; g++)
        {
            buckets[g] = [];
            top[g] = int.MinValue;
        }

        room = new int[state.Members];
        indexInBucket = new int[state.Members];
        for (var m = 0; m < state.Members; m++)
        {
            room[m] = state.Quota[m] - state.Load[m];
            Add(m);
        }

        preferenceOfGroup = new int[groups];
        levelOfGroup = new int[groups];
        mark = new int[state.Members];
    }

    /// <summary>Records that <paramref name="m"/> took a slot: one less room.</summary>
    public void Take(int m)
    {
        var g = topology.GroupOf[m];
        var level = room[m];
        var bucket = buckets[g][level];
        var last = bucket[^1];
        bucket[indexInBucket[m]] = last;
        indexInBucket[last] = indexInBucket[m];
        bucket.RemoveAt(bucket.Count - 1);
        room[m] = level - 1;
        Add(m);
        if (top[g] == level && bucket.Count == 0)
        {
            top[g] = level - 1;
        }
    }

    /// <summary>The member for the next slot of partition <paramref name="p"/>.</summary>
    public int Choose(int p, ReplicaPlanner.SlotKind kind)
    {
        var members = state.Of(p);
        stamp++;
        foreach (var m in members)
        {
            mark[m] = stamp;
        }

        RankGroups(members, kind);

        // Best (full, preference, room) over the groups' best available buckets, and how many
        // members share it.
        var bestKey = long.MaxValue;
        var tied = 0;
        for (var g = 0; g < levelOfGroup.Length; g++)
        {
            levelOfGroup[g] = preferenceOfGroup[g] < 0 ? int.MinValue : BestLevel(g, members);
            if (levelOfGroup[g] == int.MinValue)
            {
                continue;
            }

            var key = Key(levelOfGroup[g], preferenceOfGroup[g]);
            var size = buckets[g][levelOfGroup[g]].Count;
            if (key < bestKey)
            {
                (bestKey, tied) = (key, size);
            }
            else if (key == bestKey)
            {
                tied += size;
            }
        }

        // Pick a position among the tied members by hash, then step past members the partition
        // already holds (at most the replication factor of them).
        var pick = (int)(PlanState.SlotHash(p, members.Length) % (ulong)tied);
        for (var g = 0; g < levelOfGroup.Length; g++)
        {
            if (levelOfGroup[g] == int.MinValue || Key(levelOfGroup[g], preferenceOfGroup[g]) != bestKey)
            {
                continue;
            }

            var bucket = buckets[g][levelOfGroup[g]];
            if (pick >= bucket.Count)
            {
                pick -= bucket.Count;
                continue;
            }

            // BestLevel only returns buckets holding a member the partition does not, so this
            // finds one within the bucket.
            for (var i = 0; ; i++)
            {
                var m = bucket[(pick + i) % bucket.Count];
                if (mark[m] != stamp)
                {
                    return m;
                }
            }
        }

        throw new InvalidOperationException("no candidate for a replica slot");
    }

    /// <summary>Packs (full, -room, preference) so that smaller is better.</summary>
    private static long Key(int level, int preference) =>
        ((level <= 0 ? 1L : 0L) << 48) | ((long)(uint)((long)int.MaxValue - level) << 8) | (uint)preference;

    /// <summary>The highest room level in group <paramref name="g"/> with a member that the
    /// partition does not hold, or int.MinValue.</summary>
    private int BestLevel(int g, ReadOnlySpan<int> members)
    {
        var level = top[g];
        while (level != int.MinValue)
        {
            var held = 0;
            foreach (var m in members)
            {
                if (topology.GroupOf[m] == g && room[m] == level)
                {
                    held++;
                }
            }

            if (buckets[g].TryGetValue(level, out var bucket) && bucket.Count > held)
            {
                return level;
            }

            level = NextLower(g, level);
        }

        return int.MinValue;
    }

    private int NextLower(int g, int level)
    {
        if (buckets[g].TryGetValue(level - 1, out var below) && below.Count > 0)
        {
            return level - 1;
        }

        var next = int.MinValue;
        foreach (var (candidate, bucket) in buckets[g])
        {
            if (candidate < level && candidate > next && bucket.Count > 0)
            {
                next = candidate;
            }
        }

        return next;
    }

    private void Add(int m)
    {
        var g = topology.GroupOf[m];
        if (!buckets[g].TryGetValue(room[m], out var bucket))
        {
            bucket = [];
            buckets[g].Add(room[m], bucket);
        }

        indexInBucket[m] = bucket.Count;
        bucket.Add(m);
        top[g] = Math.Max(top[g], room[m]);
    }

    private void RankGroups(ReadOnlySpan<int> members, ReplicaPlanner.SlotKind kind)
    {
        if (kind == ReplicaPlanner.SlotKind.Leader)
        {
            Array.Clear(preferenceOfGroup);
            return;
        }

        var leaderGroup = topology.GroupOf[members[0]];
        for (var g = 0; g < preferenceOfGroup.Length; g++)
        {
            var relation = topology.BetweenGroups(leaderGroup, g);
            preferenceOfGroup[g] = kind switch
            {
                ReplicaPlanner.SlotKind.OtherZone => relation != Relation.OtherZone ? -1 : UsesGroup(members, g) ? 1 : 0,
                ReplicaPlanner.SlotKind.OtherRegion => relation != Relation.OtherRegion ? -1 : UsesRegion(members, topology.RegionOfGroup[g]) ? 1 : 0,
                _ => (int)relation,
            };
        }
    }

    private bool UsesGroup(ReadOnlySpan<int> members, int group)
    {
        foreach (var m in members)
        {
            if (topology.GroupOf[m] == group)
            {
                return true;
            }
        }

        return false;
    }

    private bool UsesRegion(ReadOnlySpan<int> members, int region)
    {
        foreach (var m in members)
        {
            if (topology.RegionOf[m] == region)
            {
                return true;
            }
        }

        return false;
    }
}
