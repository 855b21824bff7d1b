using System.Diagnostics;
using System.Globalization;
using DataCluster.E2E.Tests.Support;
using DataCluster.Kube;
using DataCluster.Ring;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.E2E.Tests;

/// <summary>Scaling through the DataCluster: joins move few replicas, leaves drain before pods go.</summary>
public sealed class ScaleTests(E2EFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Scaling_3_to_5_to_3_gives_new_members_partitions_with_minimal_movement_and_drains_before_the_StatefulSet_shrinks()
    {
        await using var dc = await TestCluster.CreateAsync(fixture, "scale", 3);
        var three = dc.Members(3);
        var five = dc.Members(5);
        var formed = (await dc.AgreedRingAsync(three)).Values.First();
        var beforeJoin = await dc.AssignmentAsync();
        Assert.Equal(formed.Epoch, beforeJoin?.Epoch);

        await dc.ScaleAsync(5);
        var grown = (await dc.AgreedRingAsync(five)).Values.First();
        var afterJoin = await dc.AssignmentAsync();
        Assert.Equal(grown.Epoch, afterJoin?.Epoch);

        var moved = Moved(beforeJoin!, afterJoin!);
        var minimum = MinimumMoves(beforeJoin!, afterJoin!, five);
        Report.Line($"scale 3 -> 5: epoch {beforeJoin!.Epoch} -> {afterJoin!.Epoch}, {moved} replicas moved, minimum {minimum} ({(double)moved / minimum:0.000} x); replicas per member {string.Join(", ", five.Select(m => $"{m}={afterJoin.ReplicaCountOf(m)}"))}");
        Assert.All(five.Skip(3), m => Assert.True(afterJoin.ReplicaCountOf(m) > 0, $"{m} holds no replicas"));
        Assert.True(moved <= minimum * 1.1, $"{moved} replicas moved; the minimum is {minimum}");

        await dc.ScaleAsync(3);
        var observations = new List<Observation>();
        var clock = Stopwatch.StartNew();
        var agent0 = dc.AddressOf(three[0]);
        await Eventually.UntilAsync(
            async () =>
            {
                // The StatefulSet first, then the assignment: an assignment read after a shrink
                // must already show the drained members empty, or the operator shrank too early.
                var replicas = await dc.StatefulSetReplicasAsync() ?? -1;
                var assignment = await dc.AssignmentAsync();
                var ring = await fixture.Agents.RingAsync(agent0, Ct);
                var state = ring?.Members.FirstOrDefault(m => m.Id == five[3])?.State ?? "absent";
                observations.Add(new Observation(clock.Elapsed, replicas, assignment!.Epoch, assignment.ReplicaCountOf(five[3]), assignment.ReplicaCountOf(five[4]), state));
                return replicas == 3 && await dc.AgreementAsync(three) is not null;
            },
            TestCluster.Patience,
            "the cluster shrinks to 3",
            () => $"Last: {(observations.Count > 0 ? observations[^1] : null)}\n{dc.Diagnostics()}",
            // Much finer than the usual polling: the operator shrinks the StatefulSet within
            // moments of the drained assignment, and this test wants to see the order.
            interval: TimeSpan.FromMilliseconds(20));

        var changes = observations.Where((o, i) => i == 0 || o.Key != observations[i - 1].Key).ToList();
        Report.Line("scale 5 -> 3, in the order observed: " + string.Join("; ", changes.Select(o => o.ToString())));
        Assert.All(observations.Where(o => o.StatefulSetReplicas == 3), o => Assert.True(o.Held3 == 0 && o.Held4 == 0, $"the StatefulSet shrank while {five[3]} held {o.Held3} and {five[4]} held {o.Held4} replicas (epoch {o.Epoch})"));
        Assert.Contains(observations, o => o.StatefulSetReplicas == 5);
        await Eventually.UntilAsync(
            async () => (await dc.Cluster.Admin.ListAsync(KubeResources.Pods, dc.Namespace, null, Ct)).Items.Count == 3,
            TestCluster.Patience,
            "pods 3 and 4 are gone",
            dc.Diagnostics);
        Assert.Null(dc.Cluster.Node.Process(dc.Namespace, five[3]));
    }

    /// <summary>Replicas placed on a member that did not hold that partition before.</summary>
    private static int Moved(Assignment before, Assignment after)
    {
        var moved = 0;
        for (var p = 0; p < after.Partitions; p++)
        {
            var previous = before.ReplicasOf(p).ToArray();
            foreach (var member in after.ReplicasOf(p))
            {
                if (!previous.Contains(member))
                {
                    moved++;
                }
            }
        }

        return moved;
    }

    /// <summary>The fewest moves that reach the new per-member counts: every member's gain must be moved in.</summary>
    private static int MinimumMoves(Assignment before, Assignment after, IEnumerable<string> members) =>
        members.Sum(m => Math.Max(0, after.ReplicaCountOf(m) - before.ReplicaCountOf(m)));

    /// <param name="Member3State">Member 3 as agent 0's ring shows it: active, draining or absent.</param>
    private sealed record Observation(TimeSpan At, int StatefulSetReplicas, long Epoch, int Held3, int Held4, string Member3State)
    {
        public (int, long, int, int, string) Key => (StatefulSetReplicas, Epoch, Held3, Held4, Member3State);

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"t={At.TotalSeconds:0.00}s statefulset={StatefulSetReplicas} epoch={Epoch} member3={Held3} member4={Held4} ({Member3State})");
    }
}
