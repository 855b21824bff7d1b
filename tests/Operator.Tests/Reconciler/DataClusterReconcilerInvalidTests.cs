using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Operator.Api;
using Xunit;

namespace DataCluster.Operator.Tests.Reconciler;

/// <summary>A spec that cannot be reconciled changes nothing but status and Events (<c>DataClusterReconciler.Invalid.cs</c>).</summary>
public class DataClusterReconcilerInvalidTests
{
    private readonly ClusterWorld _world = new();

    [Fact]
    public async Task An_invalid_spec_change_writes_only_status_and_one_Warning_per_problem()
    {
        await _world.FormAsync();
        var statefulSet = _world.StatefulSet!.Metadata.ResourceVersion;

        _world.EditSpec(spec =>
        {
            spec.Replicas = 4;
            spec.Replication.Factor = 5;
        });
        var first = await _world.ReconcileWrites();
        var second = await _world.ReconcileWrites();

        Assert.Equal(["update dataclusters/status shop/demo"], first.Select(w => w.ToString()));
        Assert.Empty(second);
        Assert.Equal(statefulSet, _world.StatefulSet!.Metadata.ResourceVersion);
        Assert.Null(_world.Get(KubeResources.Leases, ObjectNames.MemberLease(ClusterWorld.Name, 3)));
        Assert.Equal(("False", "InvalidSpec"), _world.ConditionOf(ConditionTypes.Valid));
        Assert.Equal(("False", "InvalidSpec"), _world.ConditionOf(ConditionTypes.Progressing));
        Assert.Contains("spec.replication.factor", _world.Condition(ConditionTypes.Valid).Message, StringComparison.Ordinal);
        Assert.Equal("Warning", Assert.Single(_world.EventsWith("InvalidSpec")).Type);
        Assert.Equal(2, _world.Status.ObservedGeneration);
    }

    [Fact]
    public async Task The_partition_count_is_recorded_once_and_kept_while_a_changed_count_is_refused()
    {
        await _world.FormAsync(spec => spec.Partitions = 64);
        Assert.Equal(64, _world.Status.Partitions);

        _world.EditSpec(spec => spec.Partitions = 128);
        await _world.Reconcile();

        Assert.Equal(64, _world.Status.Partitions);
        Assert.Equal(("False", "InvalidSpec"), _world.ConditionOf(ConditionTypes.Valid));
        Assert.Contains("set spec.partitions back to 64", _world.Condition(ConditionTypes.Valid).Message, StringComparison.Ordinal);

        _world.EditSpec(spec => spec.Partitions = 64);
        await _world.Reconcile();

        Assert.Equal(("True", "SpecValid"), _world.ConditionOf(ConditionTypes.Valid));
        Assert.Single(_world.EventsWith("SpecValid"));
        Assert.Equal(64, _world.Status.Partitions);
    }

    [Fact]
    public async Task A_cluster_invalid_from_the_start_creates_nothing_and_records_no_partition_count()
    {
        _world.CreateCluster(spec =>
        {
            spec.Replicas = 2;
            spec.Replication.Factor = 3;
        });

        var writes = await _world.ReconcileWrites();

        Assert.Equal(["update dataclusters/status shop/demo"], writes.Select(w => w.ToString()));
        Assert.Null(_world.StatefulSet);
        Assert.Null(_world.Status.Partitions);
        Assert.Equal(("True", "InvalidSpec"), _world.ConditionOf(ConditionTypes.Degraded));
    }

    [Fact]
    public async Task A_drain_in_progress_keeps_its_marks_while_the_spec_is_invalid()
    {
        await _world.FormAsync(spec => spec.Replicas = 5);
        _world.EditSpec(spec => spec.Replicas = 3);
        await _world.Reconcile();
        var slice = _world.Slice!.Metadata.ResourceVersion;
        var drain = _world.Status.Drain!;

        _world.PublishAssignment();
        _world.EditSpec(spec => spec.Replication.Factor = 7);
        await _world.Reconcile();

        Assert.Equal(5, _world.StatefulSet!.Spec.Replicas);
        Assert.Equal(slice, _world.Slice!.Metadata.ResourceVersion);
        Assert.Equal(drain.Members, _world.Status.Drain!.Members);
        Assert.Equal([false, false, false, true, true], _world.Status.Members!.Select(m => m.Draining));
        Assert.Equal(("False", "InvalidSpec"), _world.ConditionOf(ConditionTypes.Valid));
    }
}
