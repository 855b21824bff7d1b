using System.Diagnostics;
using DataCluster.Ring;

namespace DataCluster.Ring.Bench;

/// <summary>
/// Prints, in plain lines, the ring's figures: lookup ns/op, assignment time, balance, and
/// movement after one join, one leave and one crash as a ratio to the minimum possible.
/// </summary>
/// <remarks>
/// Minimums (see docs/assignment.md): a join must move to the newcomer its share of replica slots,
/// floor(partitions x replicas / members); a leave (drain, then removal) or a crash must move the
/// replicas the lost member held. Leadership moves are reported apart with their own minimums: the
/// newcomer's floor share of leaderships, or the leaderships the lost member held. Times are the
/// minimum over repeated runs after warm-up, which is what the code costs on a quiet machine.
/// </remarks>
public static class Report
{
    public static void Run(TextWriter output)
    {
        output.WriteLine($"ring report: {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var lookupNs = LookupNanoseconds(out var partitionNs);
        output.WriteLine($"lookup key->partition: {partitionNs:F1} ns/op");
        output.WriteLine($"lookup key->partition->leader: {lookupNs:F1} ns/op (target <= 50)");
        foreach (var scenario in Scenario.All)
        {
            Describe(output, scenario);
        }
    }

    private static double LookupNanoseconds(out double partitionNs)
    {
        var scenario = Scenario.All[0];
        var lookup = new RingLookup(Assigner.Assign(null, scenario.BuildMembers(), scenario.Settings));
        var keys = Scenario.Keys(1024);
        var sink = 0;
        double best = double.MaxValue, bestPartition = double.MaxValue;

        // Each window is one pass over the keys (tens of microseconds), far shorter than a
        // scheduler time slice, so on a busy machine most windows run uninterrupted and the
        // minimum is still what a lookup costs; long windows would time other processes too.
        const int Windows = 30_000;
        for (var window = 0; window < Windows; window++)
        {
            var start = Stopwatch.GetTimestamp();
            foreach (var key in keys)
            {
                sink += lookup.LeaderOf(key)!.Length;
            }

            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalNanoseconds / keys.Length);
            start = Stopwatch.GetTimestamp();
            foreach (var key in keys)
            {
                sink += lookup.PartitionOf(key);
            }

            bestPartition = Math.Min(bestPartition, Stopwatch.GetElapsedTime(start).TotalNanoseconds / keys.Length);
        }

        GC.KeepAlive(sink);
        partitionNs = bestPartition;
        return best;
    }

    private static void Describe(TextWriter output, Scenario scenario)
    {
        var settings = scenario.Settings;
        var members = scenario.BuildMembers();
        output.WriteLine();
        output.WriteLine($"scenario: {scenario.Name}; {settings.Partitions} partitions x factor {settings.ReplicationFactor} over {scenario.Members} members");

        var first = Assigner.Assign(null, members, settings);
        var joined = members.Append(scenario.Member(scenario.Members)).ToList();
        var crashed = members.Where(m => m.Ordinal != 7).ToList();
        output.WriteLine($"assignment time, first (from empty): {Milliseconds(() => Assigner.Assign(null, members, settings)):F2} ms (target <= 10)");
        output.WriteLine($"assignment time, after one join: {Milliseconds(() => Assigner.Assign(first, joined, settings)):F2} ms");
        output.WriteLine($"assignment time, after one crash: {Milliseconds(() => Assigner.Assign(first, crashed, settings)):F2} ms");
        output.WriteLine($"assignment time, nothing changed: {Milliseconds(() => Assigner.Assign(first, members, settings)):F2} ms");
        Balance(output, "balance", first, members);

        var join = Assigner.Assign(first, joined, settings);
        Movement(output, "join", first, join,
            settings.Partitions * settings.ReplicationFactor / joined.Count,
            settings.Partitions / joined.Count);
        Balance(output, "balance after join", join, joined);

        // The agent's cluster leader lets a newcomer join first (replicas, no leaderships), then
        // makes it active once it has settled: the same join in two epochs.
        var newcomer = joined[^1];
        var joining = Assigner.Assign(first, [.. members, newcomer with { State = MemberState.Joining }], settings);
        var settled = Assigner.Assign(joining, joined, settings);
        output.WriteLine($"  join as joining, then active: {LeadershipMoves(first, joining)} + {LeadershipMoves(joining, settled)} leadership moves, {Moved(first, joining)} + {Moved(joining, settled)} replicas moved; minimum {settings.Partitions / joined.Count} leaderships");

        // A leave drains the member (it hands everything over), then removes it.
        var leaving = members[42];
        var draining = members.Select(m => m == leaving ? m with { State = MemberState.Draining } : m).ToList();
        var drained = Assigner.Assign(first, draining, settings);
        var removed = Assigner.Assign(drained, members.Where(m => m != leaving).ToList(), settings);
        Movement(output, "leave", first, removed, first.ReplicaCountOf(leaving.Id), first.LeaderCountOf(leaving.Id));
        output.WriteLine($"  leave: drained member holds {drained.ReplicaCountOf(leaving.Id)} replicas; removal moved {Moved(drained, removed)} more");

        var crash = Assigner.Assign(first, crashed, settings);
        var lost = members.First(m => m.Ordinal == 7).Id;
        Movement(output, "crash", first, crash, first.ReplicaCountOf(lost), first.LeaderCountOf(lost));
        Balance(output, "balance after crash", crash, crashed);
    }

    private static void Balance(TextWriter output, string label, Assignment assignment, IReadOnlyList<Member> members)
    {
        var replicas = members.Select(m => assignment.ReplicaCountOf(m.Id)).ToArray();
        var leaders = members.Select(m => assignment.LeaderCountOf(m.Id)).ToArray();
        output.WriteLine($"{label}: replicas per member max {replicas.Max()} mean {replicas.Average():F2} max/mean {replicas.Max() / replicas.Average():F3}; " +
            $"leaders per member max {leaders.Max()} mean {leaders.Average():F2} max/mean {leaders.Max() / leaders.Average():F3} (target <= 1.05)");
    }

    private static void Movement(TextWriter output, string label, Assignment before, Assignment after, int minimum, int leaderMinimum)
    {
        var moved = Moved(before, after);
        var leaders = 0;
        for (var p = 0; p < after.Partitions; p++)
        {
            leaders += before.LeaderOf(p) == after.LeaderOf(p) ? 0 : 1;
        }

        output.WriteLine($"movement after one {label}: {moved} replicas moved, minimum {minimum}, ratio {(double)moved / minimum:F3} (target <= 1.1); " +
            $"leadership moves {leaders}, minimum {leaderMinimum}, ratio {(double)leaders / leaderMinimum:F3}");
    }

    private static int LeadershipMoves(Assignment before, Assignment after)
    {
        var moves = 0;
        for (var p = 0; p < after.Partitions; p++)
        {
            moves += before.LeaderOf(p) == after.LeaderOf(p) ? 0 : 1;
        }

        return moves;
    }

    private static int Moved(Assignment before, Assignment after)
    {
        var moved = 0;
        for (var p = 0; p < after.Partitions; p++)
        {
            var had = before.ReplicasOf(p);
            foreach (var id in after.ReplicasOf(p))
            {
                moved += had.Contains(id) ? 0 : 1;
            }
        }

        return moved;
    }

    private static double Milliseconds(Func<Assignment> assign)
    {
        for (var i = 0; i < 30; i++)
        {
            assign();
        }

        var best = double.MaxValue;
        for (var i = 0; i < 40; i++)
        {
            var watch = Stopwatch.StartNew();
            assign();
            best = Math.Min(best, watch.Elapsed.TotalMilliseconds);
        }

        return best;
    }
}
