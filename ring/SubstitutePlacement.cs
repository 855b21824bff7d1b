namespace DataCluster.Ring;

/// <summary>
/// Chooses the member that stands in for a replica that is down (hinted handoff): a member that
/// holds no replica of the partition takes the down member's copy until it is back, so the
/// partition keeps its replication factor and its commit level can still be met.
/// </summary>
/// <remarks>
/// <para>Pure, deterministic and thread-safe: the answer depends only on the arguments' contents,
/// not on the order of <c>members</c>.</para>
/// <para>Candidates are active members that are not in the replica set and that the caller calls
/// usable. They are ranked by, in this order:</para>
/// <list type="number">
/// <item>The placement requirements of <see cref="AssignmentSettings"/> (otherZoneReplicas,
/// otherRegionReplicas, measured from the set's first member, the leader, as the assignment
/// measures them) for the set with the down member swapped for the candidate: the fewest
/// requirements left unmet first. A candidate that keeps them all always wins; when none can, the
/// one that breaks the fewest is still chosen, because a copy in the wrong zone keeps the write
/// on as many members as the factor asks, and no copy does not.</item>
/// <item>Nearness to the down member: its zone, then its region, then anywhere. A stand-in near
/// the member it replaces keeps the partition's spread over failure domains as the assignment
/// made it, and its copy crosses the fewest boundaries when it is handed back.</item>
/// <item>Load, as the caller counts it (least first), so stand-ins spread over the members.</item>
/// <item>Member id, ordinal order: ties end the same way on every member.</item>
/// </list>
/// <para>Like the assignment, unknown (empty) zones and regions are never "other" and never
/// "the same": a member with an unknown zone is neither near to nor away from the down member.</para>
/// </remarks>
public static class SubstitutePlacement
{
    /// <summary>
    /// The member to stand in for <paramref name="replaced"/> in partition set
    /// <paramref name="replicas"/>, or null when no member may.
    /// </summary>
    /// <param name="members">The ring's members with their zones and regions; ids must be unique
    /// and non-empty. Only <see cref="MemberState.Active"/> members are candidates.</param>
    /// <param name="settings">The cluster's placement settings.</param>
    /// <param name="replicas">The partition's current replica set, leader first, stand-ins
    /// already in place included; none of them is a candidate.</param>
    /// <param name="replaced">The down member; must be in <paramref name="replicas"/>.</param>
    /// <param name="usable">False for members the caller knows to be down or otherwise unable to
    /// take the copy.</param>
    /// <param name="load">The caller's measure of how busy a member is (for example replicas held
    /// plus stand-in copies); null counts every member the same.</param>
    /// <exception cref="ArgumentException">Duplicate or empty member ids, or
    /// <paramref name="replaced"/> not in <paramref name="replicas"/>.</exception>
    public static string? Choose(
        IReadOnlyList<Member> members,
        AssignmentSettings settings,
        IReadOnlyList<string> replicas,
        string replaced,
        Func<string, bool> usable,
        Func<string, int>? load = null)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(replicas);
        ArgumentNullException.ThrowIfNull(replaced);
        ArgumentNullException.ThrowIfNull(usable);
        var slot = IndexOf(replicas, replaced);
        if (slot < 0)
        {
            throw new ArgumentException(
                $"the down member '{replaced}' is not in the replica set [{string.Join(", ", replicas)}]; a stand-in replaces a member of the set",
                nameof(replaced));
        }

        var known = Known(members);
        // The members the requirements are measured over: the active ones, as the assignment does,
        // plus members of the set that are not active (draining, or no longer in the ring), so
        // every position of the set has a location. Those without one have an unknown location.
        var pool = new List<Member>(members.Count + replicas.Count);
        foreach (var member in known.Values)
        {
            if (member.State == MemberState.Active)
            {
                pool.Add(member);
            }
        }

        foreach (var id in replicas)
        {
            if (!known.TryGetValue(id, out var member) || member.State != MemberState.Active)
            {
                if (!pool.Exists(m => string.Equals(m.Id, id, StringComparison.Ordinal)))
                {
                    pool.Add(member ?? new Member(id, -1, "", ""));
                }
            }
        }

        pool.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        var index = new Dictionary<string, int>(pool.Count, StringComparer.Ordinal);
        for (var m = 0; m < pool.Count; m++)
        {
            index[pool[m].Id] = m;
        }

        var topology = new Topology(pool, replicas.Count, settings);
        var set = new int[replicas.Count];
        for (var i = 0; i < replicas.Count; i++)
        {
            set[i] = index[replicas[i]];
        }

        var down = known.GetValueOrDefault(replaced);
        string? best = null;
        var bestKey = (Unmet: int.MaxValue, Distance: int.MaxValue, Load: int.MaxValue);
        foreach (var candidate in pool)
        {
            if (candidate.State != MemberState.Active || set.AsSpan().Contains(index[candidate.Id]) || !usable(candidate.Id))
            {
                continue;
            }

            set[slot] = index[candidate.Id];
            var key = (Unmet: Unmet(topology, set), Distance: Distance(down, candidate), Load: load?.Invoke(candidate.Id) ?? 0);
            // The pool is in id order, so on a full tie the first one seen, the lowest id, stays.
            if (key.CompareTo(bestKey) < 0)
            {
                (best, bestKey) = (candidate.Id, key);
            }
        }

        return best;
    }

    /// <summary>Placement requirements the set leaves unmet: other-zone and other-region replicas
    /// missing, measured from its first member.</summary>
    private static int Unmet(Topology topology, ReadOnlySpan<int> set)
    {
        var (otherZone, otherRegion) = topology.Spread(set);
        var group = topology.GroupOf[set[0]];
        return Math.Max(0, topology.NeedOtherZone[group] - otherZone) + Math.Max(0, topology.NeedOtherRegion[group] - otherRegion);
    }

    /// <summary>0 in the down member's zone, 1 in its region, 2 elsewhere or unknown.</summary>
    private static int Distance(Member? down, Member candidate)
    {
        if (down is null)
        {
            return 2;
        }

        var sameRegion = down.Region.Length > 0 && string.Equals(down.Region, candidate.Region, StringComparison.Ordinal);
        var regionsDiffer = down.Region.Length > 0 && candidate.Region.Length > 0 && !sameRegion;
        if (!regionsDiffer && down.Zone.Length > 0 && string.Equals(down.Zone, candidate.Zone, StringComparison.Ordinal))
        {
            return 0;
        }

        return sameRegion ? 1 : 2;
    }

    private static Dictionary<string, Member> Known(IReadOnlyList<Member> members)
    {
        var known = new Dictionary<string, Member>(members.Count, StringComparer.Ordinal);
        foreach (var member in members)
        {
            Assigner.CheckMember(member, nameof(members));

            if (!known.TryAdd(member.Id, member))
            {
                throw new ArgumentException($"member id '{member.Id}' appears twice; ids must be unique", nameof(members));
            }
        }

        return known;
    }

    private static int IndexOf(IReadOnlyList<string> replicas, string id)
    {
        for (var i = 0; i < replicas.Count; i++)
        {
            if (string.Equals(replicas[i], id, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
