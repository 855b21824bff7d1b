namespace DataCluster.Ring;

/// <summary>Where a member sits relative to a partition leader. Declared in the order a spare
/// replica slot prefers them: the leader's zone first, the leader's region next.</summary>
internal enum Relation : byte
{
    SameZone = 0,
    OtherZone = 1,
    Unknown = 2,
    OtherRegion = 3,
}

/// <summary>
/// The active members' locations reduced to groups of equal (region, zone), with the relation
/// between every pair of groups and, per leader group, how many other-zone and other-region
/// replicas a partition must have. Built once per assignment; immutable afterwards.
/// </summary>
/// <remarks>
/// Unknown (empty) zones and regions never count as "other": two members are in other regions
/// only when both regions are known and differ, and in other zones of one region only when both
/// zones are known, differ, and the regions are not known to differ. A requirement that the
/// members cannot meet shrinks to what they can meet, which is the strategy's fallback.
/// </remarks>
internal sealed class Topology
{
    private readonly Relation[] _relations;
    private readonly int _groupCount;

    public Topology(IReadOnlyList<Member> active, int replicas, AssignmentSettings settings)
    {
        var groupIds = new Dictionary<(string Region, string Zone), int>();
        var regionIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var groups = new List<(string Region, string Zone)>();
        GroupOf = new int[active.Count];
        RegionOf = new int[active.Count];
        for (var m = 0; m < active.Count; m++)
        {
            var key = (active[m].Region, active[m].Zone);
            if (!groupIds.TryGetValue(key, out var g))
            {
                g = groups.Count;
                groupIds.Add(key, g);
                groups.Add(key);
            }

            GroupOf[m] = g;
            if (!regionIds.TryGetValue(active[m].Region, out var region))
            {
                region = regionIds.Count;
                regionIds.Add(active[m].Region, region);
            }

            RegionOf[m] = region;
        }

        _groupCount = groups.Count;
        RegionOfGroup = new int[_groupCount];
        for (var m = 0; m < active.Count; m++)
        {
            RegionOfGroup[GroupOf[m]] = RegionOf[m];
        }

        _relations = new Relation[_groupCount * _groupCount];
        for (var a = 0; a < _groupCount; a++)
        {
            for (var b = 0; b < _groupCount; b++)
            {
                _relations[(a * _groupCount) + b] = Relate(groups[a], groups[b]);
            }
        }

        var sizes = new int[_groupCount];
        AnyOfGroup = new int[_groupCount];
        for (var m = active.Count - 1; m >= 0; m--)
        {
            sizes[GroupOf[m]]++;
            AnyOfGroup[GroupOf[m]] = m;
        }

        GroupSizes = sizes;

        var zoneSlots = Math.Min(settings.OtherZoneReplicas, replicas - 1);
        var regionSlots = Math.Min(settings.OtherRegionReplicas, replicas - 1 - zoneSlots);
        NeedOtherZone = new int[_groupCount];
        NeedOtherRegion = new int[_groupCount];
        for (var a = 0; a < _groupCount; a++)
        {
            int otherZone = 0, otherRegion = 0;
            for (var b = 0; b < _groupCount; b++)
            {
                switch (_relations[(a * _groupCount) + b])
                {
                    case Relation.OtherZone:
                        otherZone += sizes[b];
                        break;
                    case Relation.OtherRegion:
                        otherRegion += sizes[b];
                        break;
                }
            }

            NeedOtherZone[a] = Math.Min(zoneSlots, otherZone);
            NeedOtherRegion[a] = Math.Min(regionSlots, otherRegion);
        }

        Unconstrained = zoneSlots == 0 && regionSlots == 0;
    }

    /// <summary>Location group of each member.</summary>
    public int[] GroupOf { get; }

    /// <summary>Region number of each member (the empty region is a number too).</summary>
    public int[] RegionOf { get; }

    /// <summary>Number of location groups.</summary>
    public int GroupCount => _groupCount;

    /// <summary>Members in each group.</summary>
    public int[] GroupSizes { get; }

    /// <summary>One member of each group, to ask what any member of it may do: requirements and
    /// relations depend only on a member's group.</summary>
    public int[] AnyOfGroup { get; }

    /// <summary>Region number of each group.</summary>
    public int[] RegionOfGroup { get; }

    /// <summary>Per leader group: replicas required in other zones of its region.</summary>
    public int[] NeedOtherZone { get; }

    /// <summary>Per leader group: replicas required in other regions.</summary>
    public int[] NeedOtherRegion { get; }

    /// <summary>True when no placement requirement exists, so any distinct members are valid.</summary>
    public bool Unconstrained { get; }

    /// <summary>Where <paramref name="member"/> sits relative to <paramref name="leader"/>.</summary>
    public Relation Between(int leader, int member) => _relations[(GroupOf[leader] * _groupCount) + GroupOf[member]];

    /// <summary>Where members of <paramref name="memberGroup"/> sit relative to a leader in <paramref name="leaderGroup"/>.</summary>
    public Relation BetweenGroups(int leaderGroup, int memberGroup) => _relations[(leaderGroup * _groupCount) + memberGroup];

    /// <summary>
    /// True when <paramref name="leader"/> with <paramref name="followers"/> meets the requirements
    /// of the leader's group. <paramref name="skip"/> is a follower position to leave out, or -1.
    /// </summary>
    public bool Satisfied(int leader, ReadOnlySpan<int> followers, int skip = -1, int extra = -1)
    {
        if (Unconstrained)
        {
            return true;
        }

        int otherZone = 0, otherRegion = 0;
        for (var i = 0; i < followers.Length; i++)
        {
            if (i != skip)
            {
                Count(Between(leader, followers[i]), ref otherZone, ref otherRegion);
            }
        }

        if (extra >= 0)
        {
            Count(Between(leader, extra), ref otherZone, ref otherRegion);
        }

        var g = GroupOf[leader];
        return otherZone >= NeedOtherZone[g] && otherRegion >= NeedOtherRegion[g];
    }

    /// <summary>How many members of <paramref name="set"/> after its first sit in another zone of the first's region, and in another region.</summary>
    public (int OtherZone, int OtherRegion) Spread(ReadOnlySpan<int> set)
    {
        int otherZone = 0, otherRegion = 0;
        foreach (var member in set[1..])
        {
            Count(Between(set[0], member), ref otherZone, ref otherRegion);
        }

        return (otherZone, otherRegion);
    }

    private static void Count(Relation relation, ref int otherZone, ref int otherRegion)
    {
        if (relation == Relation.OtherZone)
        {
            otherZone++;
        }
        else if (relation == Relation.OtherRegion)
        {
            otherRegion++;
        }
    }

    private static Relation Relate((string Region, string Zone) leader, (string Region, string Zone) member)
    {
        if (leader.Region.Length > 0 && member.Region.Length > 0 && !string.Equals(leader.Region, member.Region, StringComparison.Ordinal))
        {
            return Relation.OtherRegion;
        }

        if (leader.Zone.Length > 0 && member.Zone.Length > 0)
        {
            return string.Equals(leader.Zone, member.Zone, StringComparison.Ordinal) ? Relation.SameZone : Relation.OtherZone;
        }

        return Relation.Unknown;
    }
}
