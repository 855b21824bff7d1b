using System.Text.Json.Nodes;
using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using DataCluster.Ring;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.Operator.Tests.Integration;

/// <summary>Scaling: down only after the leader agent's assignment has drained the members; up at once.</summary>
[Collection(OperatorCollection.Name)]
public sealed class ScaleTests(OperatorFixture fixture)
{
    private Task<StatefulSet?> StatefulSetAsync(string ns, string name) =>
        fixture.Admin.GetAsync(KubeResources.StatefulSets, ns, name, TestContext.Current.CancellationToken);

    private async Task<List<Event>> EventsAsync(string ns, string name) =>
        [.. (await fixture.Admin.ListAsync(KubeResources.Events, ns, cancellationToken: TestContext.Current.CancellationToken)).Items.Where(e => e.InvolvedObject.Name == name)];

    [Fact]
    public async Task Scaling_5_to_3_keeps_the_StatefulSet_until_the_assignment_drains_the_two_highest_members_then_shrinks_it()
    {
        await fixture.RequireOperatorAsync();
        var admin = fixture.Admin;
        var ns = await fixture.CreateNamespaceAsync("scaledown");
        await using var simulation = new Simulation(fixture, ns);
        await Clusters.CreateAsync(admin, Clusters.New(ns, "shrink", s =>
        {
            s.Replicas = 5;
            s.Partitions = 64;
            s.ScaleDown.DrainDeadlineSeconds = 3;
        }));
        await Converge.ReadyAsync(fixture, ns, "shrink", 5);

        // From here on the test is the leader agent.
        simulation.PublishAssignments = false;
        await Clusters.PatchSpecAsync(admin, ns, "shrink", new JsonObject { ["replicas"] = 3 });

        // The two highest ordinals are published as draining, under a new membership epoch.
        var (slice, drainEpoch) = await Eventually.MatchAsync(async () =>
        {
            var s = (await admin.GetAsync(fixture.Slices, ns, ObjectNames.RingEndpointSlice("shrink"), TestContext.Current.CancellationToken))!;
            return (s, RingEndpointSliceBuilder.EpochOf(s) ?? 0);
        }, s => s.s.Endpoints.Where(e => e.Conditions?.Terminating == true).Select(e => e.Hostname).Order().SequenceEqual(["shrink-3", "shrink-4"]),
            Converge.Timeout, "shrink-3 and shrink-4 are draining in the ring", () => fixture.OperatorLogTail);
        Assert.Equal("shrink-3,shrink-4", slice.Metadata.Annotations![AnnotationKeys.DrainingMembers]);
        Assert.All(slice.Endpoints.Where(e => e.Conditions?.Terminating == true), e => Assert.Equal((false, true), (e.Conditions!.Ready, e.Conditions.Serving)));
        var draining = await Eventually.MatchAsync(() => Clusters.GetAsync(admin, ns, "shrink"), c => c!.Status?.Drain is not null && Clusters.Is(c, ConditionTypes.Rebalancing, ConditionStatuses.True),
            Converge.Timeout, "status reports the drain", () => fixture.OperatorLogTail);
        Assert.Equal(drainEpoch, draining!.Status!.Drain!.MembershipEpoch);
        Assert.Equal(["shrink-3", "shrink-4"], draining.Status.Drain.Members);

        // The leader agent is midway: an assignment computed from the draining membership that
        // still gives them replicas. The operator has read it (status shows its epoch), and the
        // StatefulSet keeps all five members.
        var previous = (await simulation.ReadAssignmentAsync("shrink", TestContext.Current.CancellationToken))!;
        var midway = Assignment.Create(previous.Epoch + 1, previous.Partitions, previous.ReplicationFactor, previous.ToReplicaLists(), ["shrink-3", "shrink-4"]);
        Assert.True(midway.ReplicaCountOf("shrink-3") + midway.ReplicaCountOf("shrink-4") > 0);
        await simulation.WriteAssignmentAsync("shrink", midway, drainEpoch, "shrink-0", TestContext.Current.CancellationToken);
        var seen = await Eventually.MatchAsync(() => Clusters.GetAsync(admin, ns, "shrink"), c => c!.Status?.AssignmentEpoch == midway.Epoch,
            Converge.Timeout, "the operator has read the midway assignment", () => fixture.OperatorLogTail);
        Assert.Equal(5, (await StatefulSetAsync(ns, "shrink"))!.Spec.Replicas);
        Assert.Equal(midway.ReplicaCountOf("shrink-3") + midway.ReplicaCountOf("shrink-4"), seen!.Status!.Drain!.ReplicasLeft);

        // No progress for longer than drainDeadlineSeconds: a Warning, not a silent wait.
        var stalled = await Eventually.MatchAsync(() => EventsAsync(ns, "shrink"), events => events.Any(e => e.Reason == "DrainStalled"),
            Converge.Timeout, "a DrainStalled Warning is recorded", () => fixture.OperatorLogTail);
        Assert.Equal("Warning", stalled.Single(e => e.Reason == "DrainStalled").Type);
        Assert.Equal("DrainStalled", Clusters.Condition(await Clusters.GetAsync(admin, ns, "shrink"), ConditionTypes.Rebalancing)!.Reason);
        Assert.Equal(5, (await StatefulSetAsync(ns, "shrink"))!.Spec.Replicas);

        // The leader agent finishes: the draining members hold nothing. Only now does it shrink.
        var members = Simulation.MembersOf((await admin.GetAsync(fixture.Slices, ns, ObjectNames.RingEndpointSlice("shrink"), TestContext.Current.CancellationToken))!);
        var drained = await simulation.PublishAsync((await Clusters.GetAsync(admin, ns, "shrink"))!, members, drainEpoch, "shrink-0", TestContext.Current.CancellationToken);
        Assert.Equal(0, drained.ReplicaCountOf("shrink-3") + drained.ReplicaCountOf("shrink-4"));
        await Eventually.UntilAsync(async () => (await StatefulSetAsync(ns, "shrink"))!.Spec.Replicas == 3,
            Converge.Timeout, "the StatefulSet shrinks to 3", () => fixture.OperatorLogTail);

        simulation.PublishAssignments = true;
        var done = await Converge.ReadyAsync(fixture, ns, "shrink", 3);
        Assert.Null(done.Status!.Drain);
        Assert.True(Clusters.Is(done, ConditionTypes.Rebalancing, ConditionStatuses.False));
        Assert.Equal(["shrink-0", "shrink-1", "shrink-2"], done.Status.Members!.Select(m => m.Name));
        var events = await EventsAsync(ns, "shrink");
        // One drain, one shrink: a cache that lags the operator's own writes does not restart the drain.
        var drainingEvent = Assert.Single(events, e => e.Reason == "Draining");
        var scaledEvent = Assert.Single(events, e => e.Reason == "ScaledDown");
        Assert.Equal(("Normal", 1, "Normal", 1), (drainingEvent.Type, drainingEvent.Count, scaledEvent.Type, scaledEvent.Count));

        // The agents' Role names only the remaining members' Leases.
        await Eventually.UntilAsync(async () =>
        {
            var role = await admin.GetAsync(KubeResources.Roles, ns, ObjectNames.AgentRole("shrink"), TestContext.Current.CancellationToken);
            var names = role!.Rules!.First(r => r.Resources!.Contains("leases") && r.ResourceNames is not null).ResourceNames!;
            return names.Order().SequenceEqual(["shrink-leader", "shrink-member-0", "shrink-member-1", "shrink-member-2"]);
        }, Converge.Timeout, "the agent Role names the three remaining member Leases", () => fixture.OperatorLogTail);
    }

    [Fact]
    public async Task Scaling_3_to_5_creates_the_new_members_Leases_and_adds_members_at_once()
    {
        await fixture.RequireOperatorAsync();
        var admin = fixture.Admin;
        var ct = TestContext.Current.CancellationToken;
        var ns = await fixture.CreateNamespaceAsync("scaleup");
        await using var simulation = new Simulation(fixture, ns);
        await Clusters.CreateAsync(admin, Clusters.New(ns, "grow", s => s.Partitions = 64));
        await Converge.ReadyAsync(fixture, ns, "grow", 3);
        Assert.Null(await admin.GetAsync(KubeResources.Leases, ns, ObjectNames.MemberLease("grow", 3), ct));

        await Clusters.PatchSpecAsync(admin, ns, "grow", new JsonObject { ["replicas"] = 5 });

        var grown = await Converge.ReadyAsync(fixture, ns, "grow", 5);
        Assert.Equal(5, (await StatefulSetAsync(ns, "grow"))!.Spec.Replicas);
        Assert.NotNull(await admin.GetAsync(KubeResources.Leases, ns, ObjectNames.MemberLease("grow", 3), ct));
        Assert.NotNull(await admin.GetAsync(KubeResources.Leases, ns, ObjectNames.MemberLease("grow", 4), ct));
        var slice = (await admin.GetAsync(fixture.Slices, ns, ObjectNames.RingEndpointSlice("grow"), ct))!;
        Assert.Equal(5, slice.Endpoints.Count(e => e.Conditions?.Ready == true));
        Assert.Equal(grown.Status!.MembershipEpoch, RingEndpointSliceBuilder.EpochOf(slice));
        Assert.Contains(await EventsAsync(ns, "grow"), e => e.Reason == "ScaledUp");
    }
}
