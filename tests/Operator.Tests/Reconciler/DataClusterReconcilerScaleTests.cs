using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Ring;
using Xunit;

namespace DataCluster.Operator.Tests.Reconciler;

/// <summary>The StatefulSet's size: scale-up at once, scale-down only after a drain (<c>DataClusterReconciler.Scale.cs</c>).</summary>
public class DataClusterReconcilerScaleTests
{
    private static readonly string[] Draining = ["demo-3", "demo-4"];

    private readonly ClusterWorld _world = new();

    private int StatefulSetReplicas => _world.StatefulSet!.Spec.Replicas!.Value;

    /// <summary>A formed cluster of five, asked to shrink to three, reconciled once: the drain has begun.</summary>
    private async Task<long> StartDrainAsync(Action<DataClusterSpec>? configure = null)
    {
        await _world.FormAsync(spec =>
        {
            spec.Replicas = 5;
            configure?.Invoke(spec);
        });
        _world.EditSpec(spec => spec.Replicas = 3);
        await _world.Reconcile();
        return _world.Epoch;
    }

    /// <summary>
    /// The leader agent midway through the drain: the published assignment marked draining, with
    /// the draining members' replicas gone except those of <paramref name="stillHolding"/>.
    /// </summary>
    private Assignment Midway(params string[] stillHolding)
    {
        var previous = _world.PublishedAssignment()!;
        var lists = previous.ToReplicaLists()
            .Select(list => (IReadOnlyList<string>)list.Where(m => !Draining.Contains(m) || stillHolding.Contains(m)).ToList())
            .ToList();
        return Assignment.Create(previous.Epoch + 1, previous.Partitions, previous.ReplicationFactor, lists, Draining);
    }

    [Fact]
    public async Task Scale_up_creates_the_new_members_Leases_and_grows_the_StatefulSet_at_once()
    {
        await _world.FormAsync();

        _world.EditSpec(spec => spec.Replicas = 5);
        await _world.Reconcile();

        Assert.Equal(5, StatefulSetReplicas);
        Assert.NotNull(_world.Get(KubeResources.Leases, ObjectNames.MemberLease(ClusterWorld.Name, 3)));
        Assert.NotNull(_world.Get(KubeResources.Leases, ObjectNames.MemberLease(ClusterWorld.Name, 4)));
        Assert.Equal("Scaled the StatefulSet from 3 to 5 members.", Assert.Single(_world.EventsWith("ScaledUp")).Message);

        _world.RunStatefulSet();
        _world.RenewLeases();
        await _world.Reconcile();

        Assert.Equal(5, _world.Slice!.Endpoints.Count(e => e.Conditions!.Ready == true));
        Assert.Equal("5/5", _world.Status.MembersReady);
    }

    [Fact]
    public async Task Scale_down_marks_the_highest_ordinals_draining_and_keeps_the_StatefulSet_at_its_size()
    {
        var epoch = await StartDrainAsync();

        Assert.Equal(5, StatefulSetReplicas);
        Assert.Equal("demo-3,demo-4", _world.Slice!.Metadata.Annotations![AnnotationKeys.DrainingMembers]);
        Assert.All(Draining, pod =>
        {
            var conditions = _world.Slice.Endpoints.Single(e => e.Hostname == pod).Conditions!;
            Assert.Equal((false, true, true), (conditions.Ready, conditions.Serving, conditions.Terminating));
        });
        var drain = _world.Status.Drain!;
        Assert.Equal(Draining, drain.Members);
        Assert.Equal((epoch, _world.Time.GetUtcNow(), -1), (drain.MembershipEpoch, drain.StartedAt!.Value, drain.ReplicasLeft));
        Assert.Equal(("True", "Draining"), _world.ConditionOf(ConditionTypes.Rebalancing));
        Assert.Equal(("True", "Scaling"), _world.ConditionOf(ConditionTypes.Progressing));
        Assert.StartsWith("Draining demo-3, demo-4 before scaling from 5 to 3 members", Assert.Single(_world.EventsWith("Draining")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scale_down_ignores_an_assignment_computed_before_the_drain_began()
    {
        var epoch = await StartDrainAsync();
        var remaining = Enumerable.Range(0, 3).Select(o => new Member(ObjectNames.Pod(ClusterWorld.Name, o), o, "", "")).ToList();
        var before = _world.PublishAssignment(remaining, epoch - 1);
        Assert.Equal(0, before.ReplicaCountOf("demo-3") + before.ReplicaCountOf("demo-4"));

        await _world.Reconcile();

        Assert.Equal(5, StatefulSetReplicas);
        Assert.Equal(-1, _world.Status.Drain!.ReplicasLeft);
    }

    [Fact]
    public async Task Scale_down_waits_while_draining_members_hold_replicas_and_records_each_step_of_progress()
    {
        var epoch = await StartDrainAsync();
        var startedAt = _world.Status.Drain!.StartedAt;

        var midway = Midway("demo-3", "demo-4");
        _world.WriteAssignment(midway, epoch);
        await _world.Reconcile();

        Assert.Equal(5, StatefulSetReplicas);
        Assert.Equal((midway.ReplicaCountOf("demo-3") + midway.ReplicaCountOf("demo-4"), startedAt), (_world.Status.Drain!.ReplicasLeft, _world.Status.Drain.LastProgressAt));
        Assert.Equal(midway.Epoch, _world.Status.AssignmentEpoch);

        _world.Pass(TimeSpan.FromSeconds(10));
        var further = Midway("demo-3");
        _world.WriteAssignment(further, epoch);
        await _world.Reconcile();

        Assert.Equal(5, StatefulSetReplicas);
        Assert.Equal((further.ReplicaCountOf("demo-3"), _world.Time.GetUtcNow()), (_world.Status.Drain!.ReplicasLeft, _world.Status.Drain.LastProgressAt!.Value));
        Assert.True(_world.Status.Drain.ReplicasLeft > 0);
    }

    [Fact]
    public async Task Scale_down_shrinks_once_an_assignment_computed_after_the_drain_began_shows_the_members_empty()
    {
        await StartDrainAsync();

        var drained = _world.PublishAssignment();
        await _world.Reconcile();

        Assert.Equal(0, drained.ReplicaCountOf("demo-3") + drained.ReplicaCountOf("demo-4"));
        Assert.Equal(3, StatefulSetReplicas);
        Assert.Null(_world.Status.Drain);
        Assert.Equal("Drained demo-3, demo-4; scaled the StatefulSet from 5 to 3 members.", Assert.Single(_world.EventsWith("ScaledDown")).Message);

        _world.RunStatefulSet();
        await _world.Reconcile();

        Assert.Equal(["demo-0", "demo-1", "demo-2"], _world.Status.Members!.Select(m => m.Name));
        Assert.Equal(["demo-0", "demo-1", "demo-2"], _world.Slice!.Endpoints.Select(e => e.Hostname));
        Assert.Equal(("False", "NoDrain"), _world.ConditionOf(ConditionTypes.Rebalancing));
        Assert.Equal(("True", "MembersReady"), _world.ConditionOf(ConditionTypes.Ready));
        var role = _world.Get(KubeResources.Roles, ObjectNames.AgentRole(ClusterWorld.Name))!;
        Assert.Equal(
            ["demo-leader", "demo-member-0", "demo-member-1", "demo-member-2"],
            role.Rules!.First(r => r.Resources!.Contains("leases") && r.ResourceNames is not null).ResourceNames!.Order());
        Assert.Single(_world.EventsWith("Draining"));
    }

    [Fact]
    public async Task Scale_down_keeps_the_members_while_the_published_assignment_cannot_be_read()
    {
        var epoch = await StartDrainAsync();
        _world.WriteAssignmentData(new()
        {
            [AssignmentConfigMapKeys.Assignment] = "not an assignment",
            [AssignmentConfigMapKeys.MembershipEpoch] = epoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        await _world.Reconcile();
        await _world.Reconcile();

        Assert.Equal(5, StatefulSetReplicas);
        var warning = Assert.Single(_world.EventsWith("AssignmentUnreadable"));
        Assert.Equal("Warning", warning.Type);
        Assert.Contains("cannot be read", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scale_down_shrinks_at_once_when_no_assignment_was_ever_published()
    {
        _world.CreateCluster(spec => spec.Replicas = 5);
        await _world.Reconcile();
        _world.RunStatefulSet();
        _world.RenewLeases();
        await _world.Reconcile();

        _world.EditSpec(spec => spec.Replicas = 3);
        await _world.Reconcile();

        Assert.Equal(3, StatefulSetReplicas);
        Assert.Single(_world.EventsWith("ScaledDown"));
    }

    [Fact]
    public async Task A_drain_does_not_restart_when_the_cache_lags_behind_the_operators_own_status_write()
    {
        await _world.FormAsync(spec => spec.Replicas = 5);
        _world.EditSpec(spec => spec.Replicas = 3);
        _world.Hold(DataClusterResource.Tolerant);
        await _world.Reconcile();
        var drain = _world.Status.Drain!;

        _world.Pass(TimeSpan.FromSeconds(3));
        var writes = await _world.ReconcileWrites();

        Assert.Null(_world.Caches.DataClusters.Get(ClusterWorld.Namespace, ClusterWorld.Name)!.Status!.Drain);
        Assert.Empty(writes);
        Assert.Equal((drain.StartedAt, drain.MembershipEpoch), (_world.Status.Drain!.StartedAt, _world.Status.Drain.MembershipEpoch));
        Assert.Single(_world.EventsWith("Draining"));
    }

    [Fact]
    public async Task A_drain_without_progress_past_its_deadline_is_reported_stalled_once()
    {
        var epoch = await StartDrainAsync(spec => spec.ScaleDown.DrainDeadlineSeconds = 30);
        _world.WriteAssignment(Midway("demo-3", "demo-4"), epoch);
        await _world.Reconcile();
        Assert.Equal(("True", "Draining"), _world.ConditionOf(ConditionTypes.Rebalancing));

        _world.Pass(TimeSpan.FromSeconds(31));
        await _world.Reconcile();
        _world.Pass(TimeSpan.FromSeconds(5));
        await _world.Reconcile();

        Assert.Equal(("True", "DrainStalled"), _world.ConditionOf(ConditionTypes.Rebalancing));
        Assert.Equal("Warning", Assert.Single(_world.EventsWith("DrainStalled")).Type);
        Assert.Equal(5, StatefulSetReplicas);
    }
}
