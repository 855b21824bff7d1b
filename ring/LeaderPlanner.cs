namespace DataCluster.Ring;

/// <summary>
/// Second phase of an assignment: which replica of each partition leads it.
/// A member may lead a partition only if the partition's replicas meet the placement
/// requirements measured from that member. Previous leaders keep their partitions up to their
/// target; the rest go to replicas with room, and when none has room, to an augmenting path
/// that shifts leadership along a chain of partitions (no replica moves), as in bipartite
/// matching. Each member leads at most the ceiling of the mean whenever such a choice exists.
/// </summary>
internal sealed class LeaderPlanner
{
    private readonly PlanState _state;
    private readonly Topology _topology;
    private readonly int[] _leaderOf;
    private readonly int[] _led;
    private readonly List<int>[] _ledBy;
    private readonly int[] _eligible;

    // Breadth-first search scratch, reused across searches by stamping visits with a generation.
    private readonly int[] _seenPartition;
    private readonly int[] _seenMember;
    private readonly int[] _cameFrom;
    private readonly Queue<int> _queue = new();
    private int _generation;

    private LeaderPlanner(PlanState state, Topology topology)
    {
        _state = state;
        _topology = topology;
        _leaderOf = new int[state.Partitions];
        Array.Fill(_leaderOf, -1);
        _led = new int[state.Members];
        _ledBy = new List<int>[state.Members];
        for (var m = 0; m < state.Members; m++)
        {
            _ledBy[m] = [];
        }

        _eligible = new int[state.Partitions];
        for (var p = 0; p < state.Partitions; p++)
        {
            var members = state.Of(p);
            for (var i = 0; i < members.Length; i++)
            {
                if (topology.Unconstrained || topology.Satisfied(members[i], members, skip: i))
                {
                    _eligible[p] |= 1 << i;
                }
            }
        }

        _seenPartition = new int[state.Partitions];
        _seenMember = new int[state.Members];
        _cameFrom = new int[state.Members];
    }

    /// <summary>Chooses a leader for every partition.</summary>
    /// <param name="state">Placed replicas.</param>
    /// <param name="topology">Active members' locations.</param>
    /// <param name="previousLeader">Per partition, the previous leader if it is an active member, else -1.</param>
    /// <returns>Per partition, the leading member.</returns>
    public static int[] Plan(PlanState state, Topology topology, int[] previousLeader)
    {
        // Plan again from the result until planning changes nothing, so that assigning again
        // over an unchanged membership keeps every leader. A new plan replaces the last only when
        // it is strictly better balanced (see PlanOnce), so this ends; the bound is a guard.
        var leaders = PlanOnce(state, topology, previousLeader);
        for (var round = 0; round < 8; round++)
        {
            var again = PlanOnce(state, topology, leaders);
            if (again.AsSpan().SequenceEqual(leaders))
            {
                break;
            }

            leaders = again;
        }

        return leaders;
    }

    private static int[] PlanOnce(PlanState state, Topology topology, int[] previousLeader)
    {
        var balanced = new LeaderPlanner(state, topology);
        balanced.Run(previousLeader, keepAll: false);
        if (Array.TrueForAll(previousLeader, l => l < 0))
        {
            return balanced._leaderOf;
        }

        // Keeping every previous leader that may still lead is preferred whenever it is as
        // balanced as the plan above. Without this, where
        // placement requirements make exact targets unreachable, running again over an unchanged
        // membership could trade leaderships between equally loaded members.
        var sticky = new LeaderPlanner(state, topology);
        sticky.Run(previousLeader, keepAll: true);
        // Compared by the most leaderships any member has, then the fewest: a total order, so
        // planning again from a result can only improve it, never cycle.
        int stickyMax = sticky._led.Max(), balancedMax = balanced._led.Max();
        return stickyMax < balancedMax || (stickyMax == balancedMax && sticky._led.Min() >= balanced._led.Min())
            ? sticky._leaderOf
            : balanced._leaderOf;
    }

    private void Run(int[] previousLeader, bool keepAll)
    {
        var keepable = new List<int>[_state.Members];
        var keepCounts = new int[_state.Members];
        for (var m = 0; m < _state.Members; m++)
        {
            keepable[m] = [];
        }

        for (var p = 0; p < _state.Partitions; p++)
        {
            var m = previousLeader[p];
            if (m >= 0 && IsEligible(p, m))
            {
                keepable[m].Add(p);
                keepCounts[m]++;
            }
        }

        var ceiling = (_state.Partitions + _state.Members - 1) / _state.Members;
        var target = _state.Targets(_state.Partitions, keepCounts);
        if (keepAll)
        {
            for (var m = 0; m < _state.Members; m++)
            {
                target[m] = Math.Max(ceiling, keepable[m].Count);
            }
        }

        KeepPrevious(keepable, target);

        for (var p = 0; p < _state.Partitions; p++)
        {
            if (_leaderOf[p] < 0)
            {
                var m = MostRoom(p, target);
                if (m >= 0)
                {
                    Lead(p, m);
                }
            }
        }

        // What the greedy passes left: shift leadership along a chain to a member with room,
        // first within the targets, then within the ceiling for everyone, which always admits a
        // solution when the replicas themselves are balanced (see docs/assignment.md).
        int[]? relaxed = null;
        for (var p = 0; p < _state.Partitions; p++)
        {
            if (_leaderOf[p] >= 0 || Augment(p, target))
            {
                continue;
            }

            relaxed ??= Relaxed(target, ceiling);
            if (!Augment(p, relaxed))
            {
                Lead(p, LeastLoaded(p));
            }
        }
    }

    /// <summary>
    /// Previous leaders keep their partitions up to their target. A member over its target gives
    /// up first the partitions where another replica has spare leadership room, so that the
    /// partition changes leader once, directly.
    /// </summary>
    private void KeepPrevious(List<int>[] keepable, int[] target)
    {
        var spare = new int[_state.Members];
        for (var m = 0; m < _state.Members; m++)
        {
            if (keepable[m].Count <= target[m])
            {
                foreach (var p in keepable[m])
                {
                    Lead(p, m);
                }
            }

            spare[m] = Math.Max(0, target[m] - keepable[m].Count);
        }

        for (var x = 0; x < _state.Members; x++)
        {
            if (keepable[x].Count <= target[x])
            {
                continue;
            }

            var withAlternative = new List<(int Partition, int Member)>();
            var kept = 0;
            foreach (var p in keepable[x])
            {
                var alternative = MostSpare(p, x, spare);
                if (alternative < 0 && kept < target[x])
                {
                    Lead(p, x);
                    kept++;
                }
                else if (alternative >= 0)
                {
                    withAlternative.Add((p, alternative));
                }
            }

            foreach (var (p, alternative) in withAlternative)
            {
                if (kept < target[x])
                {
                    Lead(p, x);
                    kept++;
                }
                else if (spare[alternative] > 0)
                {
                    Lead(p, alternative);
                    spare[alternative]--;
                }
            }
        }
    }

    private int MostSpare(int p, int except, int[] spare)
    {
        var members = _state.Of(p);
        var best = -1;
        for (var i = 0; i < members.Length; i++)
        {
            var m = members[i];
            if (m != except && spare[m] > 0 && (_eligible[p] & (1 << i)) != 0
                && (best < 0 || spare[m] > spare[best] || (spare[m] == spare[best] && _state.TieBreak(m, p) < _state.TieBreak(best, p))))
            {
                best = m;
            }
        }

        return best;
    }

    private int MostRoom(int p, int[] capacity)
    {
        var members = _state.Of(p);
        var best = -1;
        for (var i = 0; i < members.Length; i++)
        {
            var m = members[i];
            var room = capacity[m] - _led[m];
            if (room > 0 && (_eligible[p] & (1 << i)) != 0
                && (best < 0 || room > capacity[best] - _led[best] || (room == capacity[best] - _led[best] && _state.TieBreak(m, p) < _state.TieBreak(best, p))))
            {
                best = m;
            }
        }

        return best;
    }

    private int LeastLoaded(int p)
    {
        var members = _state.Of(p);
        var best = -1;
        for (var i = 0; i < members.Length; i++)
        {
            var m = members[i];
            if ((_eligible[p] & (1 << i)) != 0
                && (best < 0 || _led[m] < _led[best] || (_led[m] == _led[best] && _state.TieBreak(m, p) < _state.TieBreak(best, p))))
            {
                best = m;
            }
        }

        // Every partition has at least one eligible replica: its provisional leader met the
        // requirements when the replicas were placed. Guard anyway rather than lose a leader.
        return best >= 0 ? best : members[0];
    }

    private static int[] Relaxed(int[] target, int ceiling)
    {
        var relaxed = new int[target.Length];
        Array.Fill(relaxed, ceiling);
        return relaxed;
    }

    /// <summary>
    /// Breadth-first search from leaderless partition <paramref name="start"/> through eligible
    /// replicas that are full to the partitions they lead, until a replica with room is found;
    /// then every partition on the path passes to the next member, so only the last member's
    /// count grows. Returns false when no such path exists.
    /// </summary>
    private bool Augment(int start, int[] capacity)
    {
        _generation++;
        _queue.Clear();
        _queue.Enqueue(start);
        _seenPartition[start] = _generation;
        while (_queue.Count > 0)
        {
            var p = _queue.Dequeue();
            var members = _state.Of(p);
            for (var i = 0; i < members.Length; i++)
            {
                var m = members[i];
                if ((_eligible[p] & (1 << i)) == 0 || _seenMember[m] == _generation)
                {
                    continue;
                }

                _seenMember[m] = _generation;
                _cameFrom[m] = p;
                if (_led[m] < capacity[m])
                {
                    Shift(start, m);
                    return true;
                }

                foreach (var next in _ledBy[m])
                {
                    if (_seenPartition[next] != _generation)
                    {
                        _seenPartition[next] = _generation;
                        _queue.Enqueue(next);
                    }
                }
            }
        }

        return false;
    }

    private void Shift(int start, int member)
    {
        while (true)
        {
            var p = _cameFrom[member];
            var previous = _leaderOf[p];
            if (previous >= 0)
            {
                _led[previous]--;
                _ledBy[previous].Remove(p);
            }

            Lead(p, member);
            if (p == start)
            {
                return;
            }

            member = previous;
        }
    }

    private void Lead(int p, int m)
    {
        _leaderOf[p] = m;
        _led[m]++;
        _ledBy[m].Add(p);
    }

    private bool IsEligible(int p, int m)
    {
        var i = _state.Of(p).IndexOf(m);
        return i >= 0 && (_eligible[p] & (1 << i)) != 0;
    }
}
