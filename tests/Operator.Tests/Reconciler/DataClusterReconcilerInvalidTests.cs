using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using DataCluster.Operator.Controllers;
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

    [Fact]
    public async Task A_pod_template_the_API_server_refuses_is_reported_with_its_words_and_the_StatefulSet_keeps_its_template()
    {
        await _world.FormAsync();
        var statefulSet = _world.StatefulSet!.Metadata.ResourceVersion;
        var dryRuns = _world.Api.DryRuns.Count;
        _world.Api.DryRunRefusal = _ => Refusal("spec.containers[1].name", "Invalid value: \"App_1\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'");

        _world.EditSpec(spec => spec.Template = AppTemplate("App_1"));
        var first = await _world.ReconcileWrites();
        var second = await _world.ReconcileWrites();

        Assert.Equal(["update dataclusters/status shop/demo"], first.Select(w => w.ToString()));
        Assert.Empty(second);
        Assert.Equal(statefulSet, _world.StatefulSet!.Metadata.ResourceVersion);
        Assert.Equal(("False", "InvalidSpec"), _world.ConditionOf(ConditionTypes.Valid));
        Assert.Contains("spec.containers[1].name: Invalid value: \"App_1\"", _world.Condition(ConditionTypes.Valid).Message, StringComparison.Ordinal);
        Assert.Equal("Warning", Assert.Single(_world.EventsWith("InvalidSpec")).Type);

        // The same template is asked about once; the member pod sent is member 0's, under a generated name.
        var dryRun = Assert.Single(_world.Api.DryRuns.Skip(dryRuns));
        Assert.Equal(("pods", $"{ObjectNames.StatefulSet(ClusterWorld.Name)}-"), (dryRun.Resource, dryRun.Name));

        _world.Api.DryRunRefusal = _ => null;
        _world.EditSpec(spec => spec.Template = AppTemplate("app"));
        await _world.Reconcile();

        Assert.Contains(_world.StatefulSet!.Spec.Template.Spec.Containers, c => c.Name == "app");
        Assert.Equal(("True", "SpecValid"), _world.ConditionOf(ConditionTypes.Valid));
    }

    [Fact]
    public async Task A_template_the_StatefulSet_runs_is_not_asked_about_again_and_a_failed_dry_run_does_not_hold_a_change_back()
    {
        await _world.FormAsync();
        var dryRuns = _world.Api.DryRuns.Count;

        await _world.Reconcile();
        Assert.Equal(dryRuns, _world.Api.DryRuns.Count);

        // A webhook that is down or a quota answers with something other than 422: the change
        // goes to the StatefulSet, whose controller meets the same answer and retries.
        _world.Api.DryRunRefusal = _ => new KubeApiException(System.Net.HttpStatusCode.InternalServerError, "failed calling webhook");
        _world.EditSpec(spec => spec.Template = AppTemplate("app"));
        await _world.Reconcile();

        Assert.Contains(_world.StatefulSet!.Spec.Template.Spec.Containers, c => c.Name == "app");
        Assert.Equal(("True", "SpecValid"), _world.ConditionOf(ConditionTypes.Valid));
    }

    [Fact]
    public async Task A_template_admission_refuses_is_reported_and_asked_about_again_until_the_namespace_policy_lets_it_through()
    {
        await _world.FormAsync();
        var statefulSet = _world.StatefulSet!.Metadata.ResourceVersion;
        _world.Api.DryRunRefusal = _ => new ForbiddenException("pods \"demo-\" is forbidden: maximum memory usage per Container is 64Mi, but limit is 128Mi");

        _world.EditSpec(spec => spec.Template = AppTemplate("app"));
        var refused = await _world.Reconcile();

        Assert.Equal(statefulSet, _world.StatefulSet!.Metadata.ResourceVersion);
        Assert.Equal(("False", "InvalidSpec"), _world.ConditionOf(ConditionTypes.Valid));
        var message = _world.Condition(ConditionTypes.Valid).Message;
        Assert.Contains("maximum memory usage per Container is 64Mi, but limit is 128Mi", message, StringComparison.Ordinal);
        Assert.Contains("LimitRange", message, StringComparison.Ordinal);
        // Looked at again by the time the recheck is due (sooner here: the Leases' expiries come first).
        Assert.NotNull(refused.RequeueAfter);
        Assert.InRange(refused.RequeueAfter!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(10.05));

        // Before the recheck is due the same template is not sent again.
        var dryRuns = _world.Api.DryRuns.Count;
        _world.Pass(TimeSpan.FromSeconds(4));
        await _world.Reconcile();
        Assert.Equal(dryRuns, _world.Api.DryRuns.Count);

        // The namespace's policy changes, the spec does not: the next look lets the template through.
        _world.Api.DryRunRefusal = _ => null;
        _world.Pass(TimeSpan.FromSeconds(7));
        await _world.Reconcile();

        Assert.Equal(dryRuns + 1, _world.Api.DryRuns.Count);
        Assert.Contains(_world.StatefulSet!.Spec.Template.Spec.Containers, c => c.Name == "app");
        Assert.Equal(("True", "SpecValid"), _world.ConditionOf(ConditionTypes.Valid));
    }

    [Theory]
    [InlineData("pods \"demo-\" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=3, limited: pods=3")]
    [InlineData("pods is forbidden: User \"system:serviceaccount:datacluster-system:datacluster-operator\" cannot create resource \"pods\" in API group \"\" in the namespace \"shop\"")]
    public async Task A_full_quota_or_the_operator_s_own_rights_do_not_hold_a_template_back(string answer)
    {
        await _world.FormAsync();
        _world.Api.DryRunRefusal = _ => new ForbiddenException(answer);

        _world.EditSpec(spec => spec.Template = AppTemplate("app"));
        await _world.Reconcile();

        Assert.Contains(_world.StatefulSet!.Spec.Template.Spec.Containers, c => c.Name == "app");
        Assert.Equal(("True", "SpecValid"), _world.ConditionOf(ConditionTypes.Valid));
    }

    [Fact]
    public void The_dry_run_pod_is_member_0_as_the_StatefulSet_controller_would_make_it()
    {
        var statefulSet = StatefulSetBuilder.Build(Defaults.Apply(TestClusters.Create(spec => spec.Template = TestClusters.AppTemplate())), new BuilderOptions { DefaultAgentImage = TestClusters.AgentImage }, 3);

        var pod = DataClusterReconciler.MemberPod(statefulSet);

        Assert.Equal(($"{statefulSet.Metadata.Name}-", statefulSet.Metadata.Namespace), (pod.Metadata.GenerateName, pod.Metadata.Namespace));
        Assert.Null(pod.Metadata.Name);
        Assert.Equal(statefulSet.Spec.Template.Metadata.Labels, pod.Metadata.Labels);
        Assert.Equal(statefulSet.Spec.Template.Spec.Containers.Select(c => c.Name), pod.Spec.Containers.Select(c => c.Name));
        var claim = Assert.Single(statefulSet.Spec.VolumeClaimTemplates!).Metadata.Name;
        Assert.Equal($"{claim}-{statefulSet.Metadata.Name}-0", Assert.Single(pod.Spec.Volumes!, v => v.Name == claim).PersistentVolumeClaim!.ClaimName);
        Assert.Equal(($"{statefulSet.Metadata.Name}-0", statefulSet.Spec.ServiceName, false), (pod.Spec.Hostname, pod.Spec.Subdomain, pod.Spec.AutomountServiceAccountToken));

        // The StatefulSet's own template is left as it was.
        Assert.DoesNotContain(statefulSet.Spec.Template.Spec.Volumes ?? [], v => v.Name == claim);
    }

    private static PodTemplateSpec AppTemplate(string container) =>
        new() { Spec = new PodSpec { Containers = [new Container { Name = container, Image = "busybox" }] } };

    private static InvalidException Refusal(string field, string message) =>
        new($"Pod \"demo-x7k2p\" is invalid: {field}: {message}", new Status
        {
            Code = 422,
            Reason = "Invalid",
            Details = new StatusDetails { Causes = [new StatusCause { Reason = "FieldValueInvalid", Field = field, Message = message }] },
        });
}
