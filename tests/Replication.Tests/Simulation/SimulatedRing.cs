using DataCluster.Ring;

namespace DataCluster.Replication.Tests.Simulation;

/// <summary>
/// The assignment publisher as the ring behaves: one writer, epochs that only increase, and per
/// partition one change at a time: the leadership moves to another replica, one replica is
/// replaced (a crashed member, or a live one being drained) by a member that held none, a crashed
/// replica is removed when no live member is left to take its place, or a member is added back
/// to a short list. It keeps
/// the conditions docs/replication.md states for reconfiguration: a replica set changes again
/// only after a term of the current one has committed its TermStart record, and the partition is
/// led only by a member that has been running since before its current set was introduced (so it
/// observed the set that one replaced).
/// </summary>
internal sealed class SimulatedRing
{
    private readonly Random _random;
    private readonly string[] _members;
    private readonly int _factor;
    private readonly List<string[]> _sets = [];
    private readonly long[] _setSince;

    public SimulatedRing(Random random, string[] members, int partitions)
    {
        _random = random;
        _members = members;
        _factor = Math.Min(3, members.Length);
        _setSince = new long[partitions];
        for (var p = 0; p < partitions; p++)
        {
            _sets.Add([.. Enumerable.Range(0, _factor).Select(i => members[(p + i) % members.Length])]);
            _setSince[p] = 1;
        }

        Current = Build(1);
    }

    public Assignment Current { get; private set; }

    /// <summary>Publishes the next assignment with one change to one partition; null when no change is allowed now.</summary>
    /// <param name="settledEpoch">Per partition, the highest epoch of a term whose TermStart is committed.</param>
    /// <param name="isUp">Whether a member is up (the ring replaces crashed members first and adds live ones).</param>
    /// <param name="runningSince">The assignment epoch a member started with (it observed every later one).</param>
    public (Assignment Assignment, string Change)? Change(Func<int, long> settledEpoch, Func<string, bool> isUp, Func<string, long> runningSince)
    {
        var p = _random.Next(_sets.Count);
        var set = _sets[p];
        var settled = settledEpoch(p) >= _setSince[p];
        var outside = _members.Where(m => !set.Contains(m)).ToList();
        var down = set.Where(m => !isUp(m)).ToList();
        var kinds = new List<string> { "move" };
        if (settled && outside.Count > 0 && set.Length == _factor)
        {
            kinds.Add("replace");
        }

        if (settled && down.Count > 0 && set.Length > 2 && outside.Count(isUp) == 0)
        {
            // No live member to replace a crashed one with: the ring shortens the list.
            kinds.Add("shrink");
        }

        if (settled && set.Length < _factor && outside.Any(isUp))
        {
            // A member came back: the list grows to the factor again.
            kinds.Add("grow");
        }

        string[] next;
        string change;
        switch (kinds[_random.Next(kinds.Count)])
        {
            case "replace":
            {
                var leaving = down.Count > 0 ? down[_random.Next(down.Count)] : set[_random.Next(set.Length)];
                var live = outside.Where(isUp).ToList();
                var pool = live.Count > 0 ? live : outside;
                var joining = pool[_random.Next(pool.Count)];
                next = [.. set.Select(m => m == leaving ? joining : m)];
                change = $"{leaving} replaced by {joining}";
                break;
            }

            case "shrink":
            {
                var leaving = down[_random.Next(down.Count)];
                next = [.. set.Where(m => m != leaving)];
                change = $"{leaving} removed";
                break;
            }

            case "grow":
            {
                var live = outside.Where(isUp).ToList();
                var joining = live[_random.Next(live.Count)];
                next = [.. set, joining];
                change = $"{joining} added";
                break;
            }

            default:
            {
                // Leadership moves to another replica that observed the set the current one replaced.
                var candidates = Enumerable.Range(1, set.Length - 1).Where(i => isUp(set[i]) && runningSince(set[i]) < _setSince[p]).ToList();
                if (candidates.Count == 0)
                {
                    return null;
                }

                var to = candidates[_random.Next(candidates.Count)];
                (set[0], set[to]) = (set[to], set[0]);
                Current = Build(Current.Epoch + 1);
                return (Current, $"partition {p}: leader -> {set[0]} [{string.Join(",", set)}]");
            }
        }

        if (!isUp(next[0]))
        {
            // The new set's leader is a member that is up (it observes the change as it is published).
            var up = Array.FindIndex(next, m => isUp(m));
            if (up > 0)
            {
                (next[0], next[up]) = (next[up], next[0]);
            }
        }

        _sets[p] = next;
        _setSince[p] = Current.Epoch + 1;
        Current = Build(Current.Epoch + 1);
        return (Current, $"partition {p}: {change} [{string.Join(",", next)}]");
    }

    private Assignment Build(long epoch) =>
        Assignment.Create(epoch, _sets.Count, _factor, _sets.Select(s => (IReadOnlyList<string>)s.ToArray()).ToList());
}
