using DataCluster.Ring;

namespace DataCluster.Ring.Tests;

/// <summary>
/// Leadership moves after one join, leave (drain, then removal) or crash, against their minimum
/// (docs/assignment.md): the newcomer's floor share of leaderships, or what the lost member led.
/// </summary>
/// <remarks>
/// Asserted within 1.1 of that minimum for 4096 partitions x factor 3 over 100 members in the
/// three topologies of <c>make bench-ring</c>: without requirements, and with otherZoneReplicas=1
/// and 2 over three zones. The minimum is reachable there because the balance band leaves room:
/// after a crash the ceiling rises by one, so the lost member's leaderships fit beside the kept
/// ones, provided replica placement gives each orphaned partition a replica with room that may
/// lead it. With otherZoneReplicas=2 a set with two replicas in one zone has one eligible leader,
/// which is why that placement matters most there. Where the band is tight the ceiling itself
/// forces chains and the minimum is not reachable (see the movement section of
/// docs/assignment.md).
/// </remarks>
public sealed class LeadershipMovementTests
{
    private const int Partitions = 4096;

    [Theory]
    [InlineData(1, 0, 7)]
    [InlineData(1, 0, 42)]
    [InlineData(1, 0, 93)]
    [InlineData(3, 1, 7)]
    [InlineData(3, 1, 42)]
    [InlineData(3, 1, 93)]
    [InlineData(3, 2, 1)]
    [InlineData(3, 2, 7)]
    [InlineData(3, 2, 42)]
    [InlineData(3, 2, 60)]
    [InlineData(3, 2, 93)]
    public void Leadership_moves_stay_within_a_tenth_of_the_minimum_on_join_leave_and_crash(int zones, int otherZoneReplicas, int lostOrdinal)
    {
        var settings = new AssignmentSettings(Partitions, 3, OtherZoneReplicas: otherZoneReplicas);
        Member MemberAt(int ordinal) => new($"datacluster-{ordinal}", ordinal, $"zone-{ordinal % zones}", "region-a");
        var members = Enumerable.Range(0, 100).Select(MemberAt).ToList();
        var before = Assigner.Assign(null, members, settings);

        var joined = members.Append(MemberAt(100)).ToList();
        var afterJoin = Assigner.Assign(before, joined, settings);
        AssertWithinATenth("join", LeadershipMoves(before, afterJoin), Partitions / joined.Count);
        Assert.Equal(Partitions / joined.Count, afterJoin.LeaderCountOf("datacluster-100"));

        var lost = members[lostOrdinal];
        var rest = members.Where(m => m != lost).ToList();
        var draining = members.Select(m => m == lost ? m with { State = MemberState.Draining } : m).ToList();
        var drained = Assigner.Assign(before, draining, settings);
        var removed = Assigner.Assign(drained, rest, settings);
        AssertWithinATenth("leave", LeadershipMoves(before, removed), before.LeaderCountOf(lost.Id));
        Assert.Equal(0, LeadershipMoves(drained, removed));

        var afterCrash = Assigner.Assign(before, rest, settings);
        AssertWithinATenth("crash", LeadershipMoves(before, afterCrash), before.LeaderCountOf(lost.Id));

        // Balance is not traded for it: nobody leads more than the ceiling of the mean.
        foreach (var (assignment, active) in new[] { (afterJoin, joined), (removed, rest), (afterCrash, rest) })
        {
            var ceiling = (Partitions + active.Count - 1) / active.Count;
            Assert.InRange(Invariants.LeaderCounts(assignment, active).Values.Max(), 0, ceiling);
        }
    }

    /// <summary>
    /// Every member of the benchmarked cluster crashing in turn, not only the few above: the
    /// leadership moves stay within 1.1 of what it led, no member leads more than the ceiling, and
    /// no replica moves beyond what the lost member held (with otherZoneReplicas=2, a partition
    /// left with two replicas in one zone keeps both under a new leader from another zone).
    /// </summary>
    [Theory]
    [InlineData(1, 0)]
    [InlineData(3, 1)]
    [InlineData(3, 2)]
    public void Every_single_crash_moves_at_most_a_tenth_more_leaderships_than_the_lost_member_led(int zones, int otherZoneReplicas)
    {
        var settings = new AssignmentSettings(Partitions, 3, OtherZoneReplicas: otherZoneReplicas);
        var members = Enumerable.Range(0, 100)
            .Select(ordinal => new Member($"datacluster-{ordinal}", ordinal, $"zone-{ordinal % zones}", "region-a"))
            .ToList();
        var before = Assigner.Assign(null, members, settings);
        var ceiling = (Partitions + members.Count - 2) / (members.Count - 1);
        var worst = (Ratio: 0.0, Member: "");
        foreach (var lost in members)
        {
            var rest = members.Where(m => m != lost).ToList();
            var after = Assigner.Assign(before, rest, settings);
            var led = before.LeaderCountOf(lost.Id);
            var moves = LeadershipMoves(before, after);
            Assert.True(moves <= led * 1.1, $"crash of {lost.Id}: {moves} leadership moves, it led {led}; expected at most 1.1 times that");
            Assert.InRange(Invariants.LeaderCounts(after, rest).Values.Max(), 0, ceiling);
            Assert.Equal(before.ReplicaCountOf(lost.Id), ReplicasMoved(before, after));
            if ((double)moves / led > worst.Ratio)
            {
                worst = ((double)moves / led, lost.Id);
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"worst crash: {worst.Member}, {worst.Ratio:F3} times the leaderships it led");
    }

    private static int ReplicasMoved(Assignment before, Assignment after)
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

    private static void AssertWithinATenth(string label, int moves, int minimum)
    {
        Assert.True(moves >= minimum && moves <= minimum * 1.1,
            $"{label}: {moves} leadership moves, minimum {minimum}, ratio {(double)moves / minimum:F3}; expected at most 1.1");
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
}
