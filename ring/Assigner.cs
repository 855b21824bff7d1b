namespace DataCluster.Ring;

/// <summary>
/// Computes partition assignments: <c>Assign(previous, members, settings)</c> returns the next
/// snapshot. See <c>docs/assignment.md</c> for the algorithm and its invariants.
/// </summary>
/// <remarks>
/// Pure, deterministic and thread-safe: the result depends only on the arguments' contents, not
/// on the order of <c>members</c>, and ties are broken by hashes of member ids, never at random.
/// </remarks>
public static class Assigner
{
    /// <summary>
    /// The next assignment. Every partition gets <c>min(factor, active members)</c> distinct active
    /// replicas, placed by the strategy in <paramref name="settings"/>, balanced per member, and
    /// moved from <paramref name="previous"/> only where a lost member or balance requires it.
    /// Draining members get nothing new and lead nothing; they keep their replicas only while no
    /// active member exists. Joining members get replicas like active ones but lead only where
    /// they already led or where every replica of the partition is joining. The epoch is one above the previous one (1 when there is none).
    /// </summary>
    /// <param name="previous">The current snapshot, or null for the first assignment.</param>
    /// <param name="members">All members; ids must be unique and non-empty.</param>
    /// <param name="settings">Partition count, factor and placement strategy.</param>
    /// <exception cref="ArgumentException">Duplicate or empty member ids, or a previous snapshot
    /// with another partition count.</exception>
    public static Assignment Assign(Assignment? previous, IReadOnlyCollection<Member> members, AssignmentSettings settings)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(settings);
        if (previous is not null && previous.Partitions != settings.Partitions)
        {
            throw new ArgumentException(
                $"the previous assignment has {previous.Partitions} partitions but the settings ask for {settings.Partitions}; the partition count is fixed when the cluster is created",
                nameof(previous));
        }

        var sorted = Sorted(members);
        var epoch = (previous?.Epoch ?? 0) + 1;
        var active = new List<Member>(sorted.Length);
        var draining = new List<string>();
        foreach (var member in sorted)
        {
            if (member.State != MemberState.Draining)
            {
                active.Add(member);
            }
            else
            {
                draining.Add(member.Id);
            }
        }

        return active.Count == 0
            ? KeepDraining(previous, draining, epoch, settings)
            : Place(previous, active, epoch, settings);
    }

    private static Assignment Place(Assignment? previous, List<Member> active, long epoch, AssignmentSettings settings)
    {
        var partitions = settings.Partitions;
        var replicas = Math.Min(settings.ReplicationFactor, active.Count);
        var index = new Dictionary<string, int>(active.Count, StringComparer.Ordinal);
        var hashes = new ulong[active.Count];
        var joining = new bool[active.Count];
        for (var m = 0; m < active.Count; m++)
        {
            index.Add(active[m].Id, m);
            hashes[m] = KeyHash.HashUtf8(active[m].Id);
            joining[m] = active[m].State == MemberState.Joining;
        }

        var kept = new int[partitions][];
        var previousLeader = new int[partitions];
        var leaderLost = new bool[partitions];
        for (var p = 0; p < partitions; p++)
        {
            kept[p] = previous is null ? [] : ActiveReplicas(previous.ReplicasOf(p), index);
            var leader = previous?.LeaderOf(p);
            previousLeader[p] = leader is not null && index.TryGetValue(leader, out var l) ? l : -1;
            leaderLost[p] = leader is not null && previousLeader[p] < 0;
        }

        var topology = new Topology(active, replicas, settings);
        var state = new PlanState(partitions, replicas, active.Count, hashes);
        ReplicaPlanner.Plan(state, topology, kept, previousLeader, leaderLost);
        // Leader choice must not depend on the order replicas were placed in, or assigning again
        // over its own result could choose differently; followers are also published in this order.
        for (var p = 0; p < partitions; p++)
        {
            state.Of(p).Sort();
        }

        var leaders = LeaderPlanner.Plan(state, topology, previousLeader, joining);

        var flat = new string[partitions * replicas];
        var offsets = new int[partitions + 1];
        var at = 0;
        for (var p = 0; p < partitions; p++)
        {
            var leader = leaders[p];
            flat[at++] = active[leader].Id;
            foreach (var m in state.Of(p))
            {
                if (m != leader)
                {
                    flat[at++] = active[m].Id;
                }
            }

            offsets[p + 1] = at;
        }

        return Assignment.FromFlat(epoch, partitions, settings.ReplicationFactor, flat, offsets, []);
    }

    /// <summary>
    /// With no active member nobody can take over, so draining members keep what they hold
    /// (and lead nothing) rather than drop the only copies.
    /// </summary>
    private static Assignment KeepDraining(Assignment? previous, List<string> draining, long epoch, AssignmentSettings settings)
    {
        var present = new HashSet<string>(draining, StringComparer.Ordinal);
        var flat = new List<string>();
        var offsets = new int[settings.Partitions + 1];
        for (var p = 0; p < settings.Partitions; p++)
        {
            var start = flat.Count;
            if (previous is not null)
            {
                foreach (var id in previous.ReplicasOf(p))
                {
                    if (flat.Count - start < settings.ReplicationFactor && present.Contains(id))
                    {
                        flat.Add(id);
                    }
                }
            }

            offsets[p + 1] = flat.Count;
        }

        return Assignment.FromFlat(epoch, settings.Partitions, settings.ReplicationFactor, [.. flat], offsets, [.. draining]);
    }

    private static int[] ActiveReplicas(ReadOnlySpan<string> ids, Dictionary<string, int> index)
    {
        if (ids.IsEmpty)
        {
            return [];
        }

        Span<int> found = stackalloc int[ids.Length];
        var count = 0;
        foreach (var id in ids)
        {
            // Snapshots hold no duplicates, so no duplicate check is needed here.
            if (index.TryGetValue(id, out var m))
            {
                found[count++] = m;
            }
        }

        return found[..count].ToArray();
    }

    /// <summary>Throws when a member of a list the ring takes is null, has no id, or a null zone or region.</summary>
    internal static void CheckMember(Member? member, string paramName)
    {
        ArgumentNullException.ThrowIfNull(member, paramName);
        if (string.IsNullOrEmpty(member.Id))
        {
            throw new ArgumentException("every member needs a non-empty id (its pod name)", paramName);
        }

        if (member.Zone is null || member.Region is null)
        {
            throw new ArgumentException($"member '{member.Id}' has a null zone or region; use the empty string for unknown", paramName);
        }
    }

    private static Member[] Sorted(IReadOnlyCollection<Member> members)
    {
        var sorted = new Member[members.Count];
        var i = 0;
        foreach (var member in members)
        {
            CheckMember(member, nameof(members));

            sorted[i++] = member;
        }

        Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Id, b.Id));
        for (var j = 1; j < sorted.Length; j++)
        {
            if (string.Equals(sorted[j - 1].Id, sorted[j].Id, StringComparison.Ordinal))
            {
                throw new ArgumentException($"member id '{sorted[j].Id}' appears twice; ids must be unique", nameof(members));
            }
        }

        return sorted;
    }
}
