using DataCluster.Ring;

namespace DataCluster.Replication.Tests.Simulation;

/// <summary>
/// The assignment publisher as the ring behaves: one writer, epochs that only increase, and per
/// partition one change at a time: the leadership moves to another replica, or one replica is
/// replaced (a crashed member, or a live one being drained) by a member that held none. It keeps
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
        string change;
        var canReplace = _members.Length > _factor && settledEpoch(p) >= _setSince[p];
        if (!canReplace || _random.Next(2) == 0)
        {
            // Leadership moves to another replica that observed the set the current one replaced.
            var candidates = Enumerable.Range(1, set.Length - 1).Where(i => isUp(set[i]) && runningSince(set[i]) < _setSince[p]).ToList();
            if (candidates.Count == 0)
            {
                return null;
            }

            var to = candidates[_random.Next(candidates.Count)];
            (set[0], set[to]) = (set[to], set[0]);
            change = $"partition {p}: leader -> {set[0]} [{string.Join(",", set)}]";
        }
        else
        {
            var down = set.Where(m => !isUp(m)).ToList();
            var leaving = down.Count > 0 ? down[_random.Next(down.Count)] : set[_random.Next(set.Length)];
            var outside = _members.Where(m => !set.Contains(m)).ToList();
            var live = outside.Where(isUp).ToList();
            var joining = (live.Count > 0 ? live : outside)[_random.Next((live.Count > 0 ? live : outside).Count)];
            var replaced = set.Select(m => m == leaving ? joining : m).ToArray();
            if (!isUp(replaced[0]))
            {
                // The new set's leader is a member that is up and held the set it replaces.
                var up = Array.FindIndex(replaced, m => isUp(m) && m != joining);
                if (up > 0)
                {
                    (replaced[0], replaced[up]) = (replaced[up], replaced[0]);
                }
            }

            _sets[p] = replaced;
            _setSince[p] = Current.Epoch + 1;
            change = $"partition {p}: {leaving} replaced by {joining} [{string.Join(",", replaced)}]";
        }

        Current = Build(Current.Epoch + 1);
        return (Current, change);
    }

    private Assignment Build(long epoch) =>
        Assignment.Create(epoch, _sets.Count, _factor, _sets.Select(s => (IReadOnlyList<string>)s.ToArray()).ToList());
}
