using DataCluster.Ring;

namespace DataCluster.Ring.Tests;

/// <summary>Concrete cases that random histories once found.</summary>
public sealed class AssignerRegressionTests
{
    /// <summary>
    /// From a random history (39 members in 3 zones / 3 regions, 26 partitions, factor 4,
    /// otherZoneReplicas 3): member-9 drains; partition 2, which it led, is refilled, and a chain
    /// of moves of new replicas then passed through partition 2 twice. Each hop was valid on its
    /// own, together they left it with no member that may lead it.
    /// </summary>
    [Fact]
    public void A_chain_of_replica_moves_leaves_every_partition_with_a_member_that_may_lead_it()
    {
        var settings = new AssignmentSettings(26, 4, OtherZoneReplicas: 3);
        var members = new List<Member>();
        void Add(int ordinal, int zone, int region, MemberState state = MemberState.Active) =>
            members.Add(new Member($"member-{ordinal}", ordinal, $"zone-{zone}", $"region-{region}", state));
        foreach (var (ordinal, zone, region) in new[]
        {
            (0, 2, 0), (1, 0, 0), (2, 0, 0), (3, 0, 0), (4, 2, 1), (5, 0, 0), (6, 1, 1), (7, 2, 0), (8, 0, 0),
            (11, 2, 0), (12, 0, 0), (14, 0, 0), (15, 0, 0), (17, 0, 0), (18, 0, 0), (19, 2, 1), (20, 2, 0),
            (21, 2, 0), (23, 1, 1), (24, 0, 0), (25, 2, 2), (26, 2, 2), (27, 2, 2), (28, 0, 0), (29, 0, 0),
            (30, 2, 1), (31, 0, 0), (32, 2, 1), (34, 2, 2), (35, 2, 2), (36, 0, 0), (37, 1, 1), (38, 1, 1),
            (39, 0, 0),
        })
        {
            Add(ordinal, zone, region);
        }

        Add(22, 0, 0, MemberState.Draining);
        Add(33, 0, 0, MemberState.Draining);
        Add(9, 2, 0, MemberState.Draining);

        int[][] previous =
        [
            [0, 15, 36, 8], [34, 2, 24, 3], [9, 1, 14, 18], [37, 19, 30, 4], [6, 19, 32, 4], [35, 19, 26, 31],
            [35, 18, 29, 32], [5, 20, 7, 9], [0, 29, 5, 8], [25, 24, 28, 3], [26, 2, 31, 6], [2, 20, 21, 7],
            [15, 0, 11, 9], [35, 12, 17, 39], [38, 30, 32, 4], [25, 1, 23, 24], [25, 1, 23, 5], [11, 12, 14, 39],
            [34, 36, 37, 39], [34, 12, 15, 28], [29, 20, 21, 7], [26, 28, 31, 36], [27, 3, 30, 38], [8, 11, 21, 9],
            [27, 17, 18, 6], [27, 14, 23, 37],
        ];
        var before = Assignment.Create(7, 26, 4, [.. previous.Select(p => (IReadOnlyList<string>)[.. p.Select(o => $"member-{o}")])]);

        var next = Assigner.Assign(before, members, settings);

        Invariants.Check(before, members, settings, next);
    }
}
