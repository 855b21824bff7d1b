using System.Numerics;

namespace DataCluster.Ring;

/// <summary>
/// Second phase of an assignment: which replica of each partition leads it, changing as few
/// leaders as balance allows. A member may lead a partition only if the partition's replicas meet
/// the placement requirements measured from that member, and a joining member only where it
/// already led or where no replica that is not joining may lead.
/// </summary>
/// <remarks>
/// A min-cost flow over leaderships (no replica moves). Leading partition p costs 0 for its
/// previous leader and 1 for any other replica. Each member should lead between the floor and the
/// ceiling of the mean; every leadership outside that band costs a penalty larger than any number
/// of changes, and the penalty grows with the distance, so balance comes first and moves second.
/// Every previous leader that may still lead keeps its partitions; partitions without one go to
/// an eligible replica; then the cheapest augmenting path (fewest leaders changed, found by
/// Dijkstra's algorithm over the members) is applied while one lowers the total cost. A leadership moved
/// in this run can be moved again at no cost, and moving it back to its previous leader refunds
/// its change, so chains prefer leaderships that move anyway.
/// </remarks>
internal sealed class LeaderPlanner
{
    private readonly PlanState _state;
    private readonly int[] _eligible;
    private readonly int[] _previous;
    private readonly int[] _leaderOf;
    private readonly int[] _led;
    private readonly List<int>[] _ledBy;
    private readonly int _floor;
    private readonly int _ceiling;

    /// <summary>One leadership outside the band: more than any path of changes costs.</summary>
    private readonly long _penalty;

    // Shortest-path state, reused by every search.
    private readonly long[] _distance;
    private readonly int[] _fromMember;
    private readonly int[] _viaPartition;
    private readonly long[] _potential;
    private readonly bool[] _settled;
    private readonly PriorityQueue<int, long> _heap = new();

    private LeaderPlanner(PlanState state, Topology topology, int[] previousLeader, bool[] joining)
    {
        _state = state;
        _leaderOf = new int[state.Partitions];
        Array.Fill(_leaderOf, -1);
        _led = new int[state.Members];
        _ledBy = new List<int>[state.Members];
        for (var m = 0; m < state.Members; m++)
        {
            _ledBy[m] = [];
        }

        _eligible = new int[state.Partitions];
        _previous = new int[state.Partitions];
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

            // A joining member takes no leadership another replica may take: its peers' streams
            // to it and its copy of the partition are not known to be ready. It keeps one it holds.
            var settled = _eligible[p];
            for (var i = 0; i < members.Length; i++)
            {
                if (joining[members[i]] && members[i] != previousLeader[p])
                {
                    settled &= ~(1 << i);
                }
            }

            if (settled != 0)
            {
                _eligible[p] = settled;
            }

            // A previous leader that is no longer a replica, or may no longer lead, is no
            // previous leader here: every choice for the partition is a change.
            var previous = previousLeader[p];
            _previous[p] = previous >= 0 && IsEligible(p, previous) ? previous : -1;
        }

        // Balance is measured over the members that may take leaderships: joining members take
        // none, so counting them would push every other member over the ceiling.
        var leading = Math.Max(1, state.Members - joining.Count(j => j));
        _floor = state.Partitions / leading;
        _ceiling = (state.Partitions + leading - 1) / leading;
        _penalty = (long)state.Partitions + state.Members + 1;
        _distance = new long[state.Members];
        _fromMember = new int[state.Members];
        _viaPartition = new int[state.Members];
        _potential = new long[state.Members];
        _settled = new bool[state.Members];
    }

    /// <summary>Chooses a leader for every partition.</summary>
    /// <param name="state">Placed replicas, each partition's members sorted.</param>
    /// <param name="topology">Active members' locations.</param>
    /// <param name="previousLeader">Per partition, the previous leader if it is an active member, else -1.</param>
    /// <param name="joining">Per member, true when it is joining (<see cref="MemberState.Joining"/>).</param>
    /// <returns>Per partition, the leading member.</returns>
    /// <remarks>
    /// Planned again from its own result until that changes nothing, so that assigning again
    /// over an unchanged membership keeps every leader. From its own result a plan only applies
    /// paths that lower the balance penalty, so this settles; the bound is a guard. (Under heavy
    /// requirements a first plan has been seen to leave such a path, see docs/assignment.md.)
    /// </remarks>
    public static int[] Plan(PlanState state, Topology topology, int[] previousLeader, bool[] joining)
    {
        var leaders = PlanOnce(state, topology, previousLeader, joining);
        for (var round = 0; round < 8; round++)
        {
            var again = PlanOnce(state, topology, leaders, joining);
            if (again.AsSpan().SequenceEqual(leaders))
            {
                break;
            }

            leaders = again;
        }

        return leaders;
    }

    private static int[] PlanOnce(PlanState state, Topology topology, int[] previousLeader, bool[] joining)
    {
        var planner = new LeaderPlanner(state, topology, previousLeader, joining);
        planner.KeepPrevious();
        planner.PlaceOrphans();
        planner.Rebalance();
        return planner._leaderOf;
    }

    private void KeepPrevious()
    {
        for (var p = 0; p < _state.Partitions; p++)
        {
            if (_previous[p] >= 0)
            {
                Lead(p, _previous[p]);
            }
        }
    }

    /// <summary>
    /// Partitions without a previous leader change leader whatever happens. Each goes to the
    /// eligible replica that leads the fewest, partitions with the fewest eligible replicas
    /// first; where that overloads a member, <see cref="Rebalance"/> moves the cheapest
    /// leaderships on, which are these when another replica may take them.
    /// </summary>
    private void PlaceOrphans()
    {
        var orphans = new List<int>();
        for (var p = 0; p < _state.Partitions; p++)
        {
            if (_leaderOf[p] < 0)
            {
                orphans.Add(p);
            }
        }

        orphans.Sort((a, b) =>
        {
            var byChoices = BitOperations.PopCount((uint)_eligible[a]).CompareTo(BitOperations.PopCount((uint)_eligible[b]));
            return byChoices != 0 ? byChoices : a.CompareTo(b);
        });
        foreach (var p in orphans)
        {
            // Every partition has an eligible replica (its provisional leader met the
            // requirements when replicas were placed); guard anyway rather than lose a leader.
            var best = LeastLoaded(p);
            Lead(p, best >= 0 ? best : _state.Of(p)[0]);
        }
    }

    /// <summary>
    /// Applies the cheapest path from a member that may give a leadership to a member that may
    /// take one while it lowers the total cost: first every leadership outside the band, then
    /// any chain that returns more leaderships to their previous leaders than it moves away.
    /// </summary>
    /// <remarks>
    /// Searches are Dijkstra's over edge costs reduced by potentials, as in successive shortest
    /// paths. They start at zero, which is valid because every leader is then its previous one or
    /// has none, so no edge costs less than zero; each search leaves them valid for the next.
    /// </remarks>
    private void Rebalance()
    {
        Array.Clear(_potential);
        // Each applied path lowers a non-negative integer cost, so this ends; the bound is a guard.
        for (var round = 0; round <= _state.Partitions * 2; round++)
        {
            var (sink, cost) = Search();
            if (sink < 0 || cost >= 0)
            {
                return;
            }

            Shift(sink);
        }
    }

    /// <summary>
    /// Dijkstra from every member that may give a leadership (starting at the cost of giving one),
    /// where an edge u -&gt; v hands one partition u leads to v and costs the change it makes,
    /// reduced by <see cref="_potential"/>. Returns the member where ending costs least, counting
    /// its <see cref="Gain"/>, and that cost; -1 when no member leads anything. Stops once
    /// no unsettled member can end cheaper. Afterwards the potentials become the distances found,
    /// capped where the search stopped, which keeps reduced costs non-negative after the shift.
    /// </summary>
    private (int Sink, long Cost) Search()
    {
        const long Unreached = long.MaxValue;
        Array.Fill(_distance, Unreached);
        Array.Fill(_fromMember, -1);
        Array.Clear(_settled);
        _heap.Clear();
        var lowestEnd = Unreached;
        for (var m = 0; m < _state.Members; m++)
        {
            lowestEnd = Math.Min(lowestEnd, _potential[m] + Gain(_led[m]));
            if (_led[m] > 0)
            {
                _distance[m] = Release(_led[m]) - _potential[m];
                _heap.Enqueue(m, _distance[m]);
            }
        }

        int sink = -1;
        long best = Unreached, stop = Unreached;
        while (_heap.TryDequeue(out var u, out var reduced))
        {
            if (_settled[u] || reduced > _distance[u])
            {
                continue;
            }

            if (best != Unreached && reduced + lowestEnd >= best)
            {
                stop = reduced;
                break;
            }

            _settled[u] = true;
            var end = reduced + _potential[u] + Gain(_led[u]);
            if (sink < 0 || end < best || (end == best && _led[u] < _led[sink]))
            {
                (sink, best) = (u, end);
            }

            foreach (var p in _ledBy[u])
            {
                var members = _state.Of(p);
                var leaving = reduced + _potential[u] - Change(p, u);
                for (var i = 0; i < members.Length; i++)
                {
                    var v = members[i];
                    if (v == u || _settled[v] || (_eligible[p] & (1 << i)) == 0)
                    {
                        continue;
                    }

                    var cost = leaving + Change(p, v) - _potential[v];
                    if (cost < _distance[v])
                    {
                        _distance[v] = cost;
                        _fromMember[v] = u;
                        _viaPartition[v] = p;
                        _heap.Enqueue(v, cost);
                    }
                }
            }
        }

        for (var m = 0; m < _state.Members; m++)
        {
            if (_distance[m] != Unreached)
            {
                _potential[m] += Math.Min(_distance[m], stop);
            }
        }

        return (sink, best);
    }

    /// <summary>Cost of one more leadership for a member that leads <paramref name="led"/>.</summary>
    private long Gain(int led) =>
        led < _floor ? -_penalty * (_floor - led)
        : led < _ceiling ? 0
        : _penalty * (led - _ceiling + 1);

    /// <summary>Cost of one leadership fewer for a member that leads <paramref name="led"/>.</summary>
    private long Release(int led) => -Gain(led - 1);

    /// <summary>Changes counted if <paramref name="member"/> leads <paramref name="p"/>.</summary>
    private int Change(int p, int member) => member == _previous[p] ? 0 : 1;

    /// <summary>Moves every partition on the path ending at <paramref name="sink"/> one member
    /// along; returns the path's first member, which now leads one partition fewer.</summary>
    private int Shift(int sink)
    {
        var member = sink;
        while (_fromMember[member] >= 0)
        {
            var from = _fromMember[member];
            var p = _viaPartition[member];
            _led[from]--;
            _ledBy[from].Remove(p);
            Lead(p, member);
            member = from;
        }

        return member;
    }

    /// <summary>The eligible replica of <paramref name="p"/> that leads the fewest, or -1.</summary>
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

        return best;
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
