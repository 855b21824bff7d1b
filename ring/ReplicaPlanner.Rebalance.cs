namespace DataCluster.Ring;

/// <summary>
/// The rebalance step of <see cref="ReplicaPlanner"/>: after the fill, single replicas (or chains
/// of new ones) move from members above their target to members below it.
/// </summary>
internal static partial class ReplicaPlanner
{
    /// <summary>
    /// Moves single replicas, always from the most loaded member that can give one, to the least
    /// loaded member that can take it, while their loads differ by two or more. A move must leave
    /// the partition with some member that may lead it. Preferred, in this order: moves of
    /// replicas placed in this same run, which add no movement; moves that leave a partition's
    /// kept leader (or an orphan's chosen successor) able to lead, since changing it costs a
    /// leadership move; moves that let a receiver short of leaderships lead a partition whose
    /// leader has one to spare; moves that keep the replaced member's relation to the leader
    /// (like for like); moves that keep the provisional leader. Every move lowers
    /// the sum of squared loads, so this ends, and it ends only when no such move exists, which
    /// makes a second run over its own result a no-op. Without placement requirements it always
    /// reaches loads that differ by at most one.
    /// </summary>
    private static void Rebalance(PlanState state, Topology topology, int[][] previous, int[] leads)
    {
        var holdings = Holdings(state);
        var stuck = new bool[state.Members];
        var receivers = new List<int>(state.Members);
        bool movedAny;
        do
        {
            movedAny = false;
            Array.Clear(stuck);
            for (var x = MostLoaded(state, stuck); x >= 0; x = MostLoaded(state, stuck))
            {
                if (TryMove(state, topology, holdings, receivers, previous, leads, x))
                {
                    movedAny = true;
                }
                else
                {
                    stuck[x] = true;
                }
            }
        }
        while (movedAny);
    }

    /// <summary>The most loaded member not marked stuck whose load exceeds the smallest load by
    /// two or more, or -1.</summary>
    private static int MostLoaded(PlanState state, bool[] stuck)
    {
        var min = int.MaxValue;
        var best = -1;
        for (var m = 0; m < state.Members; m++)
        {
            min = Math.Min(min, state.Load[m]);
            if (!stuck[m] && (best < 0 || state.Load[m] > state.Load[best]))
            {
                best = m;
            }
        }

        return best >= 0 && state.Load[best] - min >= 2 ? best : -1;
    }

    private static List<int>[] Holdings(PlanState state)
    {
        var holdings = new List<int>[state.Members];
        for (var m = 0; m < state.Members; m++)
        {
            holdings[m] = new List<int>(state.Load[m] + 4);
        }

        for (var p = 0; p < state.Partitions; p++)
        {
            foreach (var m in state.Of(p))
            {
                holdings[m].Add(p);
            }
        }

        return holdings;
    }

    /// <summary>Which replicas a move may take, from the cheapest to the dearest.</summary>
    private enum Moves
    {
        /// <summary>Replicas placed in this run, where the partition's first member may still lead it.</summary>
        NewKeepingLeader,

        /// <summary>Replicas placed in this run.</summary>
        New,

        /// <summary>Any replica.</summary>
        Any,
    }

    /// <summary>
    /// Moves one replica from <paramref name="x"/> to the least loaded member that can take one
    /// and holds at least two fewer. Returns false when no valid move exists.
    /// </summary>
    /// <remarks>
    /// A move that leaves a partition's first member unable to lead it changes a leader that was
    /// kept (or, for an orphan, the successor chosen for it), which costs a leadership move, so
    /// before one is taken a chain of new replicas that keeps every leader is looked for.
    /// </remarks>
    private static bool TryMove(PlanState state, Topology topology, List<int>[] holdings, List<int> receivers, int[][] previous, int[] leads, int x)
    {
        // Without a new replica beside kept ones no move can change a kept leader, and the first
        // search already tried every move of a new replica.
        return TryMoveByLevel(state, topology, holdings, receivers, previous, leads, x, Moves.NewKeepingLeader)
            || (HoldsNewBesideKept(holdings, previous, x)
                && (TryChain(state, topology, holdings, previous, x, keepLeaders: true)
                    || TryMoveByLevel(state, topology, holdings, receivers, previous, leads, x, Moves.New)))
            || (HoldsKept(holdings, previous, x) && TryChain(state, topology, holdings, previous, x, keepLeaders: false))
            || TryMoveByLevel(state, topology, holdings, receivers, previous, leads, x, Moves.Any);
    }

    private static bool TryMoveByLevel(PlanState state, Topology topology, List<int>[] holdings, List<int> receivers, int[][] previous, int[] leads, int x, Moves moves)
    {
        // Try the least loaded receivers first; only when none of them can take a replica of x
        // look at the next load level.
        var level = int.MinValue;
        while (true)
        {
            var next = int.MaxValue;
            for (var m = 0; m < state.Members; m++)
            {
                if (state.Load[m] > level && state.Load[m] < next)
                {
                    next = state.Load[m];
                }
            }

            if (next > state.Load[x] - 2)
            {
                return false;
            }

            level = next;
            receivers.Clear();
            for (var m = 0; m < state.Members; m++)
            {
                if (state.Load[m] == level)
                {
                    receivers.Add(m);
                }
            }

            if (TryMoveTo(state, topology, holdings, previous, leads, x, receivers, moves))
            {
                return true;
            }
        }
    }

    /// <summary>
    /// True when moving the replica at <paramref name="slot"/> of <paramref name="p"/> changes who
    /// leads it: its first member is replaced or may no longer lead (<paramref name="leaderAfter"/>
    /// is not 0). Only partitions with kept replicas have a leader to keep; one placed from
    /// scratch gets its leader from the leader plan whatever moves.
    /// </summary>
    private static bool ChangesLeader(int[][] previous, int p, int slot, int leaderAfter) =>
        previous[p].Length > 0 && (slot == 0 || leaderAfter != 0);

    /// <summary>True when <paramref name="x"/> holds a replica placed in this run in a partition
    /// with kept replicas, the only kind of move that can change a kept leader for free.</summary>
    private static bool HoldsNewBesideKept(List<int>[] holdings, int[][] previous, int x)
    {
        foreach (var p in holdings[x])
        {
            if (previous[p].Length > 0 && !previous[p].AsSpan().Contains(x))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HoldsKept(List<int>[] holdings, int[][] previous, int x)
    {
        foreach (var p in holdings[x])
        {
            if (previous[p].AsSpan().Contains(x))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Shifts replicas placed in this run along a chain x -&gt; a -&gt; ... -&gt; y, each member
    /// handing one of its new replicas to the next, so that x loses one and y, which holds at
    /// least two fewer than x, gains one, and no kept replica moves. Used when no single move of a
    /// new replica exists, which happens when the last empty slots of a fill meet members that
    /// already hold those partitions. Only worth it when x holds kept replicas (otherwise moving
    /// any of its replicas is free), or, with <paramref name="keepLeaders"/>, when every single
    /// move would change a kept leader: then each hop must leave its partition's first member able
    /// to lead it. Breadth-first and bounded in depth and work, so it stays cheap.
    /// </summary>
    private static bool TryChain(PlanState state, Topology topology, List<int>[] holdings, int[][] previous, int x, bool keepLeaders)
    {
        const int MaxDepth = 4;
        var budget = 64 * state.Members;
        var from = new int[state.Members];
        var via = new int[state.Members];
        var depth = new int[state.Members];
        Array.Fill(from, -2);
        from[x] = -1;
        var queue = new Queue<int>();
        queue.Enqueue(x);
        while (queue.Count > 0)
        {
            var u = queue.Dequeue();
            if (depth[u] >= MaxDepth)
            {
                continue;
            }

            foreach (var q in holdings[u])
            {
                // Each hop's validity is judged on the partition as it is now, so a chain may
                // change a partition only once: two hops through one partition could each be
                // valid alone and leave it with no member that may lead it.
                if (previous[q].AsSpan().Contains(u) || OnChain(from, via, u, q))
                {
                    continue;
                }

                var members = state.Of(q);
                var slot = members.IndexOf(u);
                for (var v = 0; v < state.Members; v++)
                {
                    if (from[v] != -2 || members.Contains(v))
                    {
                        continue;
                    }

                    if (--budget < 0)
                    {
                        return false;
                    }

                    var leader = LeaderAfterMove(topology, members, slot, v);
                    if (leader < 0 || (keepLeaders && ChangesLeader(previous, q, slot, leader)))
                    {
                        continue;
                    }

                    (from[v], via[v], depth[v]) = (u, q, depth[u] + 1);
                    if (state.Load[v] <= state.Load[x] - 2)
                    {
                        for (var to = v; from[to] >= 0; to = from[to])
                        {
                            Replace(state, topology, holdings, via[to], from[to], to);
                        }

                        return true;
                    }

                    queue.Enqueue(v);
                }
            }
        }

        return false;
    }

    /// <summary>True when the chain that reaches <paramref name="member"/> already passes through partition <paramref name="q"/>.</summary>
    private static bool OnChain(int[] from, int[] via, int member, int q)
    {
        for (var m = member; from[m] >= 0; m = from[m])
        {
            if (via[m] == q)
            {
                return true;
            }
        }

        return false;
    }

    private static void Replace(PlanState state, Topology topology, List<int>[] holdings, int p, int x, int y)
    {
        var members = state.Of(p);
        var slot = members.IndexOf(x);
        var leader = LeaderAfterMove(topology, members, slot, y);
        members[slot] = y;
        if (leader > 0)
        {
            (members[0], members[leader]) = (members[leader], members[0]);
        }

        state.Load[x]--;
        state.Load[y]++;
        holdings[x].Remove(p);
        holdings[y].Add(p);
    }

    private static bool TryMoveTo(PlanState state, Topology topology, List<int>[] holdings, int[][] previous, int[] leads, int x, List<int> receivers, Moves moves)
    {
        int bestPartition = -1, bestTarget = -1, bestFeeds = 0;
        var floor = state.Partitions / state.Members;
        var ceiling = (state.Partitions + state.Members - 1) / state.Members;
        var bestKey = (Kept: int.MaxValue, KeptLeader: int.MaxValue, Feeding: int.MaxValue, Kind: int.MaxValue, Leader: int.MaxValue, Tie: ulong.MaxValue);
        foreach (var p in holdings[x])
        {
            var members = state.Of(p);
            var slot = members.IndexOf(x);
            // Moving a replica placed in this same run costs no extra movement; moving a kept one does.
            var kept = previous[p].AsSpan().Contains(x) ? 1 : 0;
            if (kept == 1 && moves != Moves.Any)
            {
                continue;
            }

            foreach (var y in receivers)
            {
                // Keeping a kept leader comes first, as changing it costs a leadership move. Then
                // like for like: the same zone keeps which members may lead the partition, so no
                // leadership has to move; next best, the receiver may lead it afterwards, so it can
                // take its share of leaderships without chains; then the same relation to the leader.
                var kind = topology.GroupOf[y] == topology.GroupOf[x] ? 0
                    : slot != 0 && topology.Satisfied(y, members, skip: slot) ? 1
                    : slot != 0 && topology.Between(members[0], y) == topology.Between(members[0], x) ? 2
                    : 3;
                var replacesLeader = slot == 0 ? 1 : 0;
                // Feeding: the receiver leads fewer than the floor and may lead the partition
                // afterwards, and its leader has a leadership to spare, so the leader plan can
                // pass it on without a chain; best from a leader above the ceiling, which must
                // give one up anyway (a join's newcomer takes its share this way). A leader
                // changed like that is no extra change.
                var feeds = leads[y] < floor && leads[members[0]] > floor && topology.Satisfied(y, members, skip: slot) ? 1 : 0;
                var feeding = feeds == 0 ? 2 : leads[members[0]] > ceiling ? 0 : 1;
                var key = (Kept: kept, KeptLeader: previous[p].Length > 0 && feeds == 0 ? replacesLeader : 0, Feeding: feeding, Kind: kind, Leader: replacesLeader, Tie: state.TieBreak(y, p));
                // Validity is the costly part; skip it for moves that could not win anyway.
                if (key.CompareTo(bestKey) >= 0 || members.Contains(y))
                {
                    continue;
                }

                var leader = LeaderAfterMove(topology, members, slot, y);
                if (leader < 0)
                {
                    continue;
                }

                var changes = ChangesLeader(previous, p, slot, leader);
                if (changes && moves == Moves.NewKeepingLeader)
                {
                    continue;
                }

                key.KeptLeader = changes && feeds == 0 ? 1 : 0;
                key.Leader = leader == 0 ? key.Leader : 1;
                if (key.CompareTo(bestKey) < 0)
                {
                    (bestPartition, bestTarget, bestFeeds, bestKey) = (p, y, feeds, key);
                }
            }
        }

        if (bestPartition < 0)
        {
            return false;
        }

        // Expected leaderships, so that one spare leadership feeds one receiver.
        if (bestFeeds == 1)
        {
            leads[state.Of(bestPartition)[0]]--;
            leads[bestTarget]++;
        }

        Replace(state, topology, holdings, bestPartition, x, bestTarget);
        return true;
    }

    /// <summary>
    /// After replacing the member at <paramref name="slot"/> by <paramref name="y"/>, the position
    /// of a member that may lead the partition (0 when the first one still may), or -1 when none
    /// may, which makes the move invalid.
    /// </summary>
    private static int LeaderAfterMove(Topology topology, ReadOnlySpan<int> members, int slot, int y)
    {
        Span<int> next = stackalloc int[members.Length];
        members.CopyTo(next);
        next[slot] = y;
        for (var i = 0; i < next.Length; i++)
        {
            if (topology.Satisfied(next[i], next, skip: i))
            {
                return i;
            }
        }

        return -1;
    }
}
