using DataCluster.Kube;
using DataCluster.Operator.Api;
using Xunit;

namespace DataCluster.Operator.Tests.Reconciler;

/// <summary>Status, conditions, their Events and when to look again (<c>DataClusterReconciler.Status.cs</c>).</summary>
public class DataClusterReconcilerStatusTests
{
    private readonly ClusterWorld _world = new();

    [Fact]
    public async Task A_new_cluster_is_progressing_and_not_ready_until_its_members_are()
    {
        _world.CreateCluster();

        await _world.Reconcile();

        Assert.Equal(("False", "MembersNotReady"), _world.ConditionOf(ConditionTypes.Ready));
        Assert.Equal("True", _world.Condition(ConditionTypes.Progressing).Status);
        Assert.Equal(("False", "Progressing"), _world.ConditionOf(ConditionTypes.Degraded));
        Assert.Equal(("True", "SpecValid"), _world.ConditionOf(ConditionTypes.Valid));
        Assert.Equal(("False", "NoDrain"), _world.ConditionOf(ConditionTypes.Rebalancing));
        Assert.Equal((1L, 256, "0/3", _world.Epoch), (_world.Status.ObservedGeneration!.Value, _world.Status.Partitions!.Value, _world.Status.MembersReady, _world.Status.MembershipEpoch));
    }

    [Fact]
    public async Task The_cluster_is_ready_once_every_member_is_live_and_an_assignment_is_published()
    {
        _world.CreateCluster();
        await _world.Reconcile();
        _world.RunStatefulSet();
        _world.RenewLeases();
        await _world.Reconcile();

        Assert.Equal(("False", "NoAssignment"), _world.ConditionOf(ConditionTypes.Ready));
        Assert.Equal("3/3", _world.Status.MembersReady);

        var assignment = _world.PublishAssignment();
        await _world.Reconcile();

        var status = _world.Status;
        Assert.Equal(("True", "MembersReady"), _world.ConditionOf(ConditionTypes.Ready));
        Assert.Equal(("False", "Stable"), _world.ConditionOf(ConditionTypes.Progressing));
        Assert.Equal((assignment.Epoch, "demo-0"), (status.AssignmentEpoch, status.Leader));
        Assert.Equal([.. status.Members!.Select(m => assignment.ReplicaCountOf(m.Name))], status.Members!.Select(m => m.Replicas));
        Assert.Equal(256 * 3, status.Members!.Sum(m => m.Replicas));
        Assert.Equal(["zone-a", "zone-b", "zone-c"], status.Members!.Select(m => m.Zone));
        Assert.Equal("Normal", Assert.Single(_world.EventsWith("Ready")).Type);
    }

    [Fact]
    public async Task A_converged_cluster_costs_no_writes_while_its_agents_keep_renewing()
    {
        await _world.FormAsync();
        var writes = _world.Api.Writes.Count;

        for (var i = 0; i < 10; i++)
        {
            _world.Pass(TimeSpan.FromSeconds(2));
            await _world.Reconcile();
        }

        Assert.Equal(writes, _world.Api.Writes.Count);
    }

    [Fact]
    public async Task A_converged_cluster_asks_to_be_looked_at_again_when_the_next_Lease_would_expire()
    {
        await _world.FormAsync();

        var result = await _world.Reconcile();

        Assert.Equal(TimeSpan.FromSeconds(6) + TimeSpan.FromMilliseconds(50), result.RequeueAfter);
    }

    [Fact]
    public async Task A_silent_member_makes_the_cluster_not_ready_at_once_and_degraded_a_lease_duration_later()
    {
        await _world.FormAsync();

        _world.Pass(TimeSpan.FromSeconds(8), silent: 2);
        var result = await _world.Reconcile();

        Assert.Equal(("False", "MembersNotReady"), _world.ConditionOf(ConditionTypes.Ready));
        Assert.Equal(("True", "MembersStarting"), _world.ConditionOf(ConditionTypes.Progressing));
        Assert.Equal("False", _world.Condition(ConditionTypes.Degraded).Status);
        Assert.Equal("Warning", Assert.Single(_world.EventsWith("NotReady")).Type);
        Assert.True(result.RequeueAfter <= TimeSpan.FromSeconds(6.05), $"looks again after {result.RequeueAfter}");

        _world.Pass(TimeSpan.FromSeconds(7), silent: 2);
        await _world.Reconcile();

        Assert.Equal(("True", "MembersNotReady"), _world.ConditionOf(ConditionTypes.Degraded));
        Assert.Equal("Only 2 of 3 members are ready; not ready: demo-2.", _world.Condition(ConditionTypes.Degraded).Message);
        Assert.Equal("Warning", Assert.Single(_world.EventsWith("Degraded")).Type);
        Assert.False(_world.Status.Members![2].Ready);
        Assert.Equal(ClusterWorld.Start, _world.Status.Members[2].LeaseRenewTime);
    }

    [Fact]
    public async Task A_member_that_comes_back_clears_Degraded_with_Recovered_and_Ready_Events()
    {
        await _world.FormAsync();
        _world.Pass(TimeSpan.FromSeconds(8), silent: 2);
        await _world.Reconcile();
        _world.Pass(TimeSpan.FromSeconds(7), silent: 2);
        await _world.Reconcile();

        _world.RenewLeases();
        await _world.Reconcile();

        Assert.Equal(("True", "MembersReady"), _world.ConditionOf(ConditionTypes.Ready));
        Assert.Equal(("False", "MembersReady"), _world.ConditionOf(ConditionTypes.Degraded));
        Assert.Single(_world.EventsWith("Recovered"));
        Assert.Equal(2, _world.EventsWith("Ready").Count);
        Assert.Null(_world.Status.Members![2].LeaseRenewTime);
    }

    [Fact]
    public async Task Status_follows_each_new_generation_of_the_spec()
    {
        await _world.FormAsync();

        _world.EditSpec(spec => spec.PodDisruptionBudget.MaxUnavailable = 2);
        await _world.Reconcile();

        Assert.Equal(2, _world.Cluster.Metadata.Generation);
        Assert.Equal(2, _world.Status.ObservedGeneration);
        Assert.All(_world.Status.Conditions!, c => Assert.Equal(2, c.ObservedGeneration));
        Assert.Equal(2, _world.Get(KubeResources.PodDisruptionBudgets, ClusterWorld.Name)!.Spec.MaxUnavailable!.Value.IntValue);
    }
}
