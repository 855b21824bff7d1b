using DataCluster.Ring;
using FsCheck;
using FsCheck.Fluent;

namespace DataCluster.Ring.Tests;

/// <summary>
/// Property tests of <see cref="Assigner.Assign"/> over random clusters and random histories of
/// joins, leaves (drain, then removal), crashes and drains. Case counts keep the project well
/// under a minute on two cores.
/// </summary>
public sealed class AssignerProperties
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(100);

    [Fact]
    public void Every_assignment_in_a_random_history_meets_the_contract()
    {
        Check.One(Quick, Prop.ForAll(Generators.HistoryArbitrary, history =>
        {
            var members = history.Start.Members.ToList();
            var settings = history.Start.Settings;
            var nextOrdinal = members.Count;
            Assignment? current = null;
            foreach (var (kind, pick) in history.Changes.Prepend((ChangeKind.Join, -1)))
            {
                if (pick >= 0)
                {
                    members = Generators.Apply(members, kind, pick, history.Start.Zones, history.Start.Regions, ref nextOrdinal);
                }

                var next = Assigner.Assign(current, members, settings);
                Invariants.Check(current, members, settings, next);
                CheckDeterministic(current, members, settings, next, pick);
                CheckStable(next, members, settings);
                CheckBalance(next, members, settings);
                current = next;
            }
        }));
    }

    [Fact]
    public void A_join_moves_only_the_newcomers_share_and_a_crash_only_what_the_lost_member_held()
    {
        // Movement is asserted exactly where the minimum is reachable: no other-zone or
        // other-region requirement (which can force extra moves), the replica count per partition
        // unchanged by the event (more members than the factor), and at least 16 partitions per
        // member. With few partitions per member the minimum can be unreachable for any
        // algorithm: with 8 partitions of 5 replicas on 8 members, the partitions a lost member
        // held may already contain every member that is below its share, so a kept replica must
        // move as well.
        Check.One(Quick, Prop.ForAll(Arb.From(Generators.MovementClusters), cluster =>
        {
            var unconstrained = new AssignmentSettings(cluster.Settings.Partitions, cluster.Settings.ReplicationFactor);
            var members = cluster.Members.ToList();

            var before = Assigner.Assign(null, members, unconstrained);
            var total = unconstrained.Partitions * unconstrained.ReplicationFactor;

            var joined = members.Append(new Member("newcomer", 999, "zone-0", "region-0")).ToList();
            var afterJoin = Assigner.Assign(before, joined, unconstrained);
            var share = total / joined.Count;
            Assert.Equal(share, Invariants.MovedReplicas(before, afterJoin));
            Assert.Equal(share, afterJoin.ReplicaCountOf("newcomer"));

            // A crash must move what the lost member held, within 1.15 times that. Asserted where
            // members are at least four times the factor: when the factor is close to the member
            // count (5 of 10), most-room-first filling places replica sets in lockstep, and a
            // member that shares every partition with the lost one can only reach its share
            // through kept replicas (measured up to 1.33 times; see docs/assignment.md). At four
            // to five times the factor a few clusters in a thousand measured 1.13-1.14.
            if (members.Count >= 4 * unconstrained.ReplicationFactor)
            {
                var lost = members[members.Count / 2].Id;
                var afterCrash = Assigner.Assign(before, members.Where(m => m.Id != lost).ToList(), unconstrained);
                var minimum = before.ReplicaCountOf(lost);
                Assert.InRange(Invariants.MovedReplicas(before, afterCrash), minimum, minimum * 1.15);
            }
        }));
    }

    [Fact]
    public void Any_valid_previous_assignment_is_accepted()
    {
        var arbitrary = Arb.From(
            from cluster in Generators.Clusters
            from seed in Gen.Choose(0, int.MaxValue)
            select (cluster, seed));
        Check.One(Quick, Prop.ForAll(arbitrary, input =>
        {
            var (cluster, seed) = input;
            var random = new Random(seed);
            var ids = cluster.Members.Select(m => m.Id).Concat(["gone-1", "gone-2", "gone-3"]).ToArray();
            var lists = new List<IReadOnlyList<string>>();
            for (var p = 0; p < cluster.Settings.Partitions; p++)
            {
                lists.Add(ids.OrderBy(_ => random.Next()).Take(random.Next(0, cluster.Settings.ReplicationFactor + 1)).ToArray());
            }

            var previous = Assignment.Create(random.Next(0, 1000), cluster.Settings.Partitions, cluster.Settings.ReplicationFactor, lists);
            var next = Assigner.Assign(previous, cluster.Members, cluster.Settings);
            Invariants.Check(previous, cluster.Members, cluster.Settings, next);
            CheckBalance(next, cluster.Members, cluster.Settings);
        }));
    }

    /// <summary>The same inputs in another order give the same replicas.</summary>
    private static void CheckDeterministic(Assignment? previous, List<Member> members, AssignmentSettings settings, Assignment result, int seed)
    {
        var shuffled = members.OrderBy(m => KeyHash.HashUtf8(m.Id + seed)).ToList();
        var again = Assigner.Assign(previous, shuffled, settings);
        Assert.True(result.Equals(again), "the same members in another order gave another assignment");
    }

    /// <summary>Assigning again with nothing changed changes nothing.</summary>
    private static void CheckStable(Assignment result, List<Member> members, AssignmentSettings settings)
    {
        var again = Assigner.Assign(result, members, settings);
        Assert.True(result.SameReplicas(again), "assigning again with the same members moved replicas");
        Assert.Equal(result.Epoch + 1, again.Epoch);
    }

    /// <summary>
    /// The balance bound. Without other-zone or other-region requirements, any distinct members
    /// are a valid placement, and the assignment must be optimal: every member holds the floor or
    /// the ceiling of the mean number of replicas, and leads at most the ceiling of the mean number
    /// of partitions. (A balanced leader choice exists: giving each replica 1/factor of its
    /// partition's leadership loads each member at most ceil(replicas)/factor, which is at most the
    /// leader ceiling, and flows with integer capacities have integer solutions.) That implies
    /// max/mean &lt;= 1.05 whenever the mean is at least 20; between 16 and 20 per member no
    /// integer assignment can always promise 1.05 (17 on a mean of 16.1 is 1.056), so the ceiling
    /// is the bound asserted. With requirements, balance can be impossible (one member alone in
    /// its zone with otherZoneReplicas = 1 must hold a replica of every partition led elsewhere),
    /// so it is asserted only where the unconstrained bound applies.
    /// </summary>
    private static void CheckBalance(Assignment result, IEnumerable<Member> members, AssignmentSettings settings)
    {
        var active = members.Where(m => m.State == MemberState.Active).ToList();
        if (active.Count == 0 || settings.OtherZoneReplicas > 0 || settings.OtherRegionReplicas > 0)
        {
            return;
        }

        var r = Math.Min(settings.ReplicationFactor, active.Count);
        var total = settings.Partitions * r;
        var replicas = Invariants.ReplicaCounts(result, active);
        var leaders = Invariants.LeaderCounts(result, active);
        var ceiling = (total + active.Count - 1) / active.Count;
        Assert.InRange(replicas.Values.Max(), 0, ceiling);
        Assert.InRange(replicas.Values.Min(), total / active.Count, int.MaxValue);
        Assert.InRange(leaders.Values.Max(), 0, (settings.Partitions + active.Count - 1) / active.Count);
        if ((double)total / active.Count >= 20)
        {
            Assert.InRange(replicas.Values.Max() / ((double)total / active.Count), 0, 1.05);
        }

        if ((double)settings.Partitions / active.Count >= 20)
        {
            Assert.InRange(leaders.Values.Max() / ((double)settings.Partitions / active.Count), 0, 1.05);
        }
    }
}
