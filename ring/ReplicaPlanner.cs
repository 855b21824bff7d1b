namespace DataCluster.Ring;

/// <summary>
/// First phase of an assignment: which members hold a replica of each partition.
/// Keeps every previous placement that is still valid, fills what is missing following the
/// placement strategy, then moves replicas from members above their target to members below it,
/// one at a time and only where the partition stays valid.
/// </summary>
internal static partial class ReplicaPlanner
{
    internal enum SlotKind
    {
        Leader,
        OtherZone,
        OtherRegion,
        Spare,
    }

    /// <param name="state">Empty state to fill.</param>
    /// <param name="topology">Active members' locations.</param>
    /// <param name="previous">Per partition, the previous replicas that are active members, in
    /// previous order (leader first when still active), without duplicates.</param>
    /// <param name="previousLeader">Per partition, the previous leader if it is an active member, else -1.</param>
    /// <param name="leaderLost">Per partition, whether it had a leader that is no longer active.</param>
    public static void Plan(PlanState state, Topology topology, int[][] previous, int[] previousLeader, bool[] leaderLost)
    {
        var newLeader = new bool[state.Partitions];
        var leads = Keep(state, topology, previous, previousLeader, leaderLost, newLeader);
        var quota = state.Targets(state.Partitions * state.Replicas, state.Load);
        quota.CopyTo(state.Quota, 0);
        Fill(state, topology, leaderLost, newLeader, leads);
        Rebalance(state, topology, previous, leads);
    }

    /// <summary>
    /// Places the previous replicas that are still active, the first (the previous leader if
    /// active, else the successor chosen for the orphan) as provisional leader, followers only
    /// where the requirements measured from it leave them a slot. An orphan whose kept replicas
    /// cannot all follow any of them (two in one zone with otherZoneReplicas=2) keeps them all
    /// when a member elsewhere could lead them: its slot 0 is then left to
    /// <see cref="Fill"/> (<paramref name="newLeader"/>), and one replica moves instead of two.
    /// </summary>
    /// <returns>Per member, the leaderships it keeps plus the orphans it was chosen to succeed to.</returns>
    private static int[] Keep(PlanState state, Topology topology, int[][] previous, int[] previousLeader, bool[] leaderLost, bool[] newLeader)
    {
        var r = state.Replicas;
        var leads = new int[state.Members];
        foreach (var m in previousLeader)
        {
            if (m >= 0)
            {
                leads[m]++;
            }
        }

        for (var p = 0; p < state.Partitions; p++)
        {
            var kept = previous[p];
            if (kept.Length == 0)
            {
                continue;
            }

            var first = leaderLost[p] ? Successor(state, kept, leads, p) : 0;
            var leader = kept[first];
            state.Append(p, leader);
            var g = topology.GroupOf[leader];
            var needZone = topology.NeedOtherZone[g];
            var needRegion = topology.NeedOtherRegion[g];
            // Slots not reserved for a requirement; a follower that meets no outstanding
            // requirement may keep one of these, and is dropped when none is left.
            var spare = r - 1 - needZone - needRegion;
            for (var i = 0; i < kept.Length && state.Count[p] < r; i++)
            {
                if (i == first)
                {
                    continue;
                }

                var relation = topology.Between(leader, kept[i]);
                if (relation == Relation.OtherZone && needZone > 0)
                {
                    needZone--;
                }
                else if (relation == Relation.OtherRegion && needRegion > 0)
                {
                    needRegion--;
                }
                else if (spare > 0)
                {
                    spare--;
                }
                else
                {
                    continue;
                }

                state.Append(p, kept[i]);
            }

            if (leaderLost[p] && state.Count[p] < kept.Length && kept.Length < r && LeadableByAnother(topology, kept))
            {
                foreach (var m in state.Of(p))
                {
                    state.Load[m]--;
                }

                state.Count[p] = 0;
                leads[leader]--;
                foreach (var m in kept)
                {
                    state.Append(p, m);
                }

                newLeader[p] = true;
            }
        }

        return leads;
    }

    /// <summary>True when some member other than <paramref name="kept"/> may lead with all of them as followers.</summary>
    private static bool LeadableByAnother(Topology topology, int[] kept)
    {
        for (var g = 0; g < topology.GroupCount; g++)
        {
            var inGroup = 0;
            foreach (var m in kept)
            {
                inGroup += topology.GroupOf[m] == g ? 1 : 0;
            }

            if (topology.GroupSizes[g] > inGroup && topology.Satisfied(topology.AnyOfGroup[g], kept))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// For a partition whose leader was lost, the kept replica to measure its requirements from,
    /// which is the one sure to be able to lead it: the one leading the fewest, counting the
    /// orphans already given to each. Were it always the first kept replica, a requirement that
    /// lets only one replica lead (two in one zone with otherZoneReplicas=2) could hand two
    /// orphans to a member with room for one, and the leader plan would have to pass one on.
    /// </summary>
    private static int Successor(PlanState state, int[] kept, int[] leads, int p)
    {
        var best = 0;
        for (var i = 1; i < kept.Length; i++)
        {
            var (m, b) = (kept[i], kept[best]);
            if (leads[m] < leads[b] || (leads[m] == leads[b] && state.TieBreak(m, p) < state.TieBreak(b, p)))
            {
                best = i;
            }
        }

        leads[kept[best]]++;
        return best;
    }

    /// <summary>
    /// Fills empty slots, first those of partitions whose leader was lost and then the rest, so
    /// that the orphans meet the room of the lost member's zone (where a new replica keeps the
    /// kept ones able to lead) before other partitions use it.
    /// </summary>
    private static void Fill(PlanState state, Topology topology, bool[] leaderLost, bool[] newLeader, int[] leads)
    {
        CandidatePool? pool = null;
        foreach (var orphans in (ReadOnlySpan<bool>)[true, false])
        {
            for (var p = 0; p < state.Partitions; p++)
            {
                if (leaderLost[p] != orphans)
                {
                    continue;
                }

                if (newLeader[p])
                {
                    pool ??= new CandidatePool(state, topology);
                    var leader = pool.ChooseNewLeader(p, leads);
                    pool.Take(leader);
                    state.Append(p, leader);
                    leads[leader]++;
                    var members = state.Of(p);
                    (members[0], members[^1]) = (members[^1], members[0]);
                }

                while (state.Count[p] < state.Replicas)
                {
                    pool ??= new CandidatePool(state, topology);
                    var kind = NextSlot(state, topology, p);
                    var member = orphans ? pool.ChooseForOrphan(p, kind, leads) : pool.Choose(p, kind);
                    pool.Take(member);
                    state.Append(p, member);
                }
            }
        }
    }

    private static SlotKind NextSlot(PlanState state, Topology topology, int p)
    {
        if (state.Count[p] == 0)
        {
            return SlotKind.Leader;
        }

        var members = state.Of(p);
        var (otherZone, otherRegion) = topology.Spread(members);
        var g = topology.GroupOf[members[0]];
        return otherZone < topology.NeedOtherZone[g] ? SlotKind.OtherZone
            : otherRegion < topology.NeedOtherRegion[g] ? SlotKind.OtherRegion
            : SlotKind.Spare;
    }
}
