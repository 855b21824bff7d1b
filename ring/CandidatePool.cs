namespace DataCluster.Ring;

/// <summary>
/// Chooses members for empty replica slots. Ranked by: meets the slot's requirement
/// (mandatory), below its target, most room below target, then the strategy's preference (for a
/// required slot a zone or region the partition does not use yet; for a spare slot the leader's
/// zone, then its region); the members that tie on all of these are chosen between by a hash of
/// the partition, so ties spread evenly and deterministically. Room comes before preference
/// because filling the emptiest members first is what lets the last empty slots find a member
/// that is below target and not yet a replica; ranked the other way, a crash moved up to 30%
/// more replicas than the lost member held. Partitions whose leader was lost are chosen for
/// apart (<see cref="ChooseForOrphan"/>, <see cref="ChooseNewLeader"/>), where eligibility
/// and leadership room matter too.
/// </summary>
/// <remarks>
/// A first assignment fills every slot, so choosing must not scan every member: members are kept
/// in buckets per location group and room (target minus load), and a choice looks only at the
/// top bucket of each group. Not thread-safe; one per fill.
/// </remarks>
internal sealed class CandidatePool
{
    private readonly PlanState _state;
    private readonly Topology _topology;
    private readonly Dictionary<int, List<int>>[] _buckets;
    private readonly int[] _top;
    private readonly int[] _room;
    private readonly int[] _indexInBucket;
    private readonly int[] _preferenceOfGroup;
    private readonly int[] _levelOfGroup;
    private readonly int[] _mark;
    private int _stamp;

    public CandidatePool(PlanState state, Topology topology)
    {
        _state = state;
        _topology = topology;
        var groups = topology.GroupCount;
        _buckets = new Dictionary<int, List<int>>[groups];
        _top = new int[groups];
        for (var g = 0; g < groups; g++)
        {
            _buckets[g] = [];
            _top[g] = int.MinValue;
        }

        _room = new int[state.Members];
        _indexInBucket = new int[state.Members];
        for (var m = 0; m < state.Members; m++)
        {
            _room[m] = state.Quota[m] - state.Load[m];
            Add(m);
        }

        _preferenceOfGroup = new int[groups];
        _levelOfGroup = new int[groups];
        _mark = new int[state.Members];
    }

    /// <summary>Records that <paramref name="m"/> took a slot: one less room.</summary>
    public void Take(int m)
    {
        var g = _topology.GroupOf[m];
        var level = _room[m];
        var bucket = _buckets[g][level];
        var last = bucket[^1];
        bucket[_indexInBucket[m]] = last;
        _indexInBucket[last] = _indexInBucket[m];
        bucket.RemoveAt(bucket.Count - 1);
        _room[m] = level - 1;
        Add(m);
        if (_top[g] == level && bucket.Count == 0)
        {
            _top[g] = level - 1;
        }
    }

    /// <summary>The member for the next slot of partition <paramref name="p"/>.</summary>
    /// <param name="p">The partition.</param>
    /// <param name="kind">The slot's requirement.</param>
    public int Choose(int p, ReplicaPlanner.SlotKind kind)
    {
        var members = _state.Of(p);
        _stamp++;
        foreach (var m in members)
        {
            _mark[m] = _stamp;
        }

        RankGroups(members, kind);

        // Best (full, preference, room) over the groups' best available buckets, and how many
        // members share it.
        var bestKey = long.MaxValue;
        var tied = 0;
        for (var g = 0; g < _levelOfGroup.Length; g++)
        {
            _levelOfGroup[g] = _preferenceOfGroup[g] < 0 ? int.MinValue : BestLevel(g, members);
            if (_levelOfGroup[g] == int.MinValue)
            {
                continue;
            }

            var key = Key(_levelOfGroup[g], _preferenceOfGroup[g]);
            var size = _buckets[g][_levelOfGroup[g]].Count;
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
        for (var g = 0; g < _levelOfGroup.Length; g++)
        {
            if (_levelOfGroup[g] == int.MinValue || Key(_levelOfGroup[g], _preferenceOfGroup[g]) != bestKey)
            {
                continue;
            }

            var bucket = _buckets[g][_levelOfGroup[g]];
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
                if (_mark[m] != _stamp)
                {
                    return m;
                }
            }
        }

        throw new InvalidOperationException("no candidate for a replica slot");
    }

    /// <summary>
    /// The member for the next slot of partition <paramref name="p"/>, whose leader was lost.
    /// Ranked by: meets the slot's requirement, below its target, for a required slot the
    /// strategy's preference (a zone or region the partition does not use yet keeps more of its
    /// replicas able to lead it), then leadership room: a member leading fewer than the floor of
    /// the mean first, then one below the ceiling, so the new replica can take the orphan's
    /// leadership where it is needed; then most room, a spare slot's preference, and a hash.
    /// Scans every member, which is cheap as only the partitions that lost their leader come here.
    /// </summary>
    /// <param name="p">The partition.</param>
    /// <param name="kind">The slot's requirement.</param>
    /// <param name="leads">Per member, the leaderships it is expected to hold.</param>
    public int ChooseForOrphan(int p, ReplicaPlanner.SlotKind kind, int[] leads)
    {
        var members = _state.Of(p);
        RankGroups(members, kind);
        var best = -1;
        var bestKey = (Full: int.MaxValue, Preference: int.MaxValue, Leading: int.MaxValue, Room: int.MaxValue, Then: int.MaxValue, Tie: ulong.MaxValue);
        for (var m = 0; m < _state.Members; m++)
        {
            var preference = _preferenceOfGroup[_topology.GroupOf[m]];
            if (preference < 0 || members.Contains(m))
            {
                continue;
            }

            // A spare slot's preference (the leader's zone) changes nobody's eligibility, so
            // there room ranks before it, as in Choose.
            var spare = kind == ReplicaPlanner.SlotKind.Spare;
            var key = (
                Full: _room[m] <= 0 ? 1 : 0,
                Preference: spare ? 0 : preference,
                Leading: Leading(m, leads),
                Room: -_room[m],
                Then: spare ? preference : 0,
                Tie: _state.TieBreak(m, p));
            if (key.CompareTo(bestKey) < 0)
            {
                (best, bestKey) = (m, key);
            }
        }

        return best >= 0 ? best : throw new InvalidOperationException("no candidate for a replica slot");
    }

    /// <summary>
    /// The member to lead partition <paramref name="p"/>, whose kept replicas all stay as its
    /// followers: one that meets the requirements with them, ranked by below its target,
    /// leadership room (as in <see cref="ChooseForOrphan"/>), most room, then a hash.
    /// </summary>
    public int ChooseNewLeader(int p, int[] leads)
    {
        var members = _state.Of(p);
        var best = -1;
        var bestKey = (Full: int.MaxValue, Leading: int.MaxValue, Room: int.MaxValue, Tie: ulong.MaxValue);
        for (var m = 0; m < _state.Members; m++)
        {
            if (members.Contains(m) || !_topology.Satisfied(m, members))
            {
                continue;
            }

            var key = (Full: _room[m] <= 0 ? 1 : 0, Leading: Leading(m, leads), Room: -_room[m], Tie: _state.TieBreak(m, p));
            if (key.CompareTo(bestKey) < 0)
            {
                (best, bestKey) = (m, key);
            }
        }

        return best >= 0 ? best : throw new InvalidOperationException("no member may lead the kept replicas");
    }

    /// <summary>0 for a member leading fewer than the floor of the mean, 1 below the ceiling, else 2.</summary>
    private int Leading(int m, int[] leads)
    {
        var floor = _state.Partitions / _state.Members;
        var ceiling = (_state.Partitions + _state.Members - 1) / _state.Members;
        return leads[m] < floor ? 0 : leads[m] < ceiling ? 1 : 2;
    }

    /// <summary>Packs (full, -room, preference) so that smaller is better.</summary>
    private static long Key(int level, int preference) =>
        ((level <= 0 ? 1L : 0L) << 48)
        | ((long)(uint)((long)int.MaxValue - level) << 8)
        | (uint)preference;

    /// <summary>The highest room level in group <paramref name="g"/> with a member that the
    /// partition does not hold, or int.MinValue.</summary>
    private int BestLevel(int g, ReadOnlySpan<int> members)
    {
        var level = _top[g];
        while (level != int.MinValue)
        {
            var held = 0;
            foreach (var m in members)
            {
                if (_topology.GroupOf[m] == g && _room[m] == level)
                {
                    held++;
                }
            }

            if (_buckets[g].TryGetValue(level, out var bucket) && bucket.Count > held)
            {
                return level;
            }

            level = NextLower(g, level);
        }

        return int.MinValue;
    }

    private int NextLower(int g, int level)
    {
        if (_buckets[g].TryGetValue(level - 1, out var below) && below.Count > 0)
        {
            return level - 1;
        }

        var next = int.MinValue;
        foreach (var (candidate, bucket) in _buckets[g])
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
        var g = _topology.GroupOf[m];
        if (!_buckets[g].TryGetValue(_room[m], out var bucket))
        {
            bucket = [];
            _buckets[g].Add(_room[m], bucket);
        }

        _indexInBucket[m] = bucket.Count;
        bucket.Add(m);
        _top[g] = Math.Max(_top[g], _room[m]);
    }

    private void RankGroups(ReadOnlySpan<int> members, ReplicaPlanner.SlotKind kind)
    {
        if (kind == ReplicaPlanner.SlotKind.Leader)
        {
            Array.Clear(_preferenceOfGroup);
            return;
        }

        var leaderGroup = _topology.GroupOf[members[0]];
        for (var g = 0; g < _preferenceOfGroup.Length; g++)
        {
            var relation = _topology.BetweenGroups(leaderGroup, g);
            _preferenceOfGroup[g] = kind switch
            {
                ReplicaPlanner.SlotKind.OtherZone => relation != Relation.OtherZone ? -1 : UsesGroup(members, g) ? 1 : 0,
                ReplicaPlanner.SlotKind.OtherRegion => relation != Relation.OtherRegion ? -1 : UsesRegion(members, _topology.RegionOfGroup[g]) ? 1 : 0,
                _ => (int)relation,
            };
        }
    }

    private bool UsesGroup(ReadOnlySpan<int> members, int group)
    {
        foreach (var m in members)
        {
            if (_topology.GroupOf[m] == group)
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
            if (_topology.RegionOf[m] == region)
            {
                return true;
            }
        }

        return false;
    }
}
