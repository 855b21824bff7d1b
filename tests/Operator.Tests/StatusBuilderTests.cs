using System.Text.Json;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using Xunit;

namespace DataCluster.Operator.Tests;

public partial class StatusBuilderTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private static MemberFacts Member(int ordinal, bool podReady = true, bool draining = false, DateTimeOffset? renewed = null) =>
        new($"demo-{ordinal}", ordinal, $"uid-{ordinal}", $"10.0.0.{ordinal + 10}", $"node-{ordinal}", $"zone-{ordinal}", podReady, renewed ?? T0, 6, draining);

    private static StatefulSet Converged(int replicas = 3) => new()
    {
        Metadata = new ObjectMeta { Name = "demo", Generation = 2 },
        Spec = new StatefulSetSpec { Replicas = replicas },
        Status = new StatefulSetStatus
        {
            ObservedGeneration = 2, Replicas = replicas, ReadyReplicas = replicas, UpdatedReplicas = replicas,
            CurrentRevision = "demo-abc", UpdateRevision = "demo-abc",
        },
    };

    private static AssignmentSummary Assignment(long epoch = 4) => new(
        epoch,
        new Dictionary<string, int> { ["demo-0"] = 256, ["demo-1"] = 256, ["demo-2"] = 256 },
        new Dictionary<string, int> { ["demo-0"] = 86, ["demo-1"] = 85, ["demo-2"] = 85 });

    private static Lease LeaderLease(string holder = "demo-1", DateTimeOffset? renewed = null) => new()
    {
        Spec = new LeaseSpec { HolderIdentity = holder, LeaseDurationSeconds = 6, RenewTime = renewed ?? T0 },
    };

    /// <summary>A formed, healthy cluster one second after every member renewed.</summary>
    private static StatusInput Healthy(Api.DataCluster? cluster = null) => new()
    {
        Cluster = Defaults.Apply(cluster ?? TestClusters.Create()),
        StatefulSet = Converged(),
        Members = [Member(0), Member(1), Member(2)],
        MembershipEpoch = 3,
        Assignment = Assignment(),
        LeaderLease = LeaderLease(),
        Now = T0.AddSeconds(1),
    };

    private static Condition Condition(DataClusterStatus status, string type) => Conditions.Find(status.Conditions, type)!;

    private static (string Status, string? Reason) Summary(DataClusterStatus status, string type) =>
        (Condition(status, type).Status, Condition(status, type).Reason);

    private static Api.DataCluster WithStatus(DataClusterStatus status, Action<DataClusterSpec>? configure = null)
    {
        var cluster = TestClusters.Create(configure);
        cluster.Status = status;
        return cluster;
    }

    [Fact]
    public void Healthy_cluster_is_ready_stable_valid_and_not_rebalancing()
    {
        var status = StatusBuilder.Build(Healthy());

        Assert.Equal((1L, 256, 3, "3/3", 3L, 4L, "demo-1"),
            (status.ObservedGeneration!.Value, status.Partitions!.Value, status.ReadyMembers, status.MembersReady, status.MembershipEpoch, status.AssignmentEpoch, status.Leader));
        Assert.Equal(["Ready", "Progressing", "Degraded", "Valid", "Rebalancing", "Reconciling", "Stalled"], status.Conditions!.Select(c => c.Type));
        Assert.Equal(("True", "MembersReady"), Summary(status, "Ready"));
        Assert.Equal(("False", "Stable"), Summary(status, "Progressing"));
        Assert.Equal(("False", "MembersReady"), Summary(status, "Degraded"));
        Assert.Equal(("True", "SpecValid"), Summary(status, "Valid"));
        Assert.Equal(("False", "NoDrain"), Summary(status, "Rebalancing"));
        Assert.Equal(("False", "Stable"), Summary(status, "Reconciling"));
        Assert.Equal(("False", "NotStalled"), Summary(status, "Stalled"));
        Assert.All(status.Conditions!, c => Assert.Equal((1L, T0.AddSeconds(1)), (c.ObservedGeneration!.Value, c.LastTransitionTime!.Value)));
    }

    [Fact]
    public void Member_summaries_carry_readiness_zone_and_assignment_counts()
    {
        var member = StatusBuilder.Build(Healthy()).Members![1];

        Assert.Equal(("demo-1", 1, true, "zone-1", false, 256, 85),
            (member.Name, member.Ordinal, member.Ready, member.Zone, member.Draining, member.Replicas, member.Leads));
        Assert.Null(member.LeaseRenewTime);
    }

    [Fact]
    public void A_steady_cluster_yields_an_identical_status_so_nothing_is_written()
    {
        var first = StatusBuilder.Build(Healthy());
        var input = Healthy(WithStatus(first)) with
        {
            Members = [Member(0, renewed: T0.AddSeconds(30)), Member(1, renewed: T0.AddSeconds(31)), Member(2, renewed: T0.AddSeconds(32))],
            LeaderLease = LeaderLease(renewed: T0.AddSeconds(32)),
            Now = T0.AddSeconds(33),
        };

        var second = StatusBuilder.Build(input);

        Assert.Equal(
            JsonSerializer.Serialize(first, OperatorJsonContext.Default.DataClusterStatus),
            JsonSerializer.Serialize(second, OperatorJsonContext.Default.DataClusterStatus));
    }

    [Fact]
    public void Transition_times_move_only_for_conditions_whose_status_changed()
    {
        var first = StatusBuilder.Build(Healthy());
        var input = Healthy(WithStatus(first)) with { Members = [Member(0), Member(1), Member(2, podReady: false)], Now = T0.AddSeconds(3) };

        var second = StatusBuilder.Build(input);

        Assert.Equal(T0.AddSeconds(3), Condition(second, "Ready").LastTransitionTime);
        Assert.Equal(T0.AddSeconds(3), Condition(second, "Progressing").LastTransitionTime);
        Assert.Equal(T0.AddSeconds(1), Condition(second, "Valid").LastTransitionTime);
        Assert.Equal(T0.AddSeconds(1), Condition(second, "Degraded").LastTransitionTime);
    }

    [Fact]
    public void Without_a_StatefulSet_the_cluster_is_being_created()
    {
        var status = StatusBuilder.Build(Healthy() with { StatefulSet = null, Members = [], Assignment = null, LeaderLease = null });

        Assert.Equal(("False", "MembersNotReady"), Summary(status, "Ready"));
        Assert.Equal(("True", "Creating"), Summary(status, "Progressing"));
        Assert.Equal(("False", "Progressing"), Summary(status, "Degraded"));
        Assert.Equal((0, "0/3", 0L, (string?)null), (status.ReadyMembers, status.MembersReady, status.AssignmentEpoch, status.Leader));
    }

    [Fact]
    public void Ready_waits_for_the_first_assignment()
    {
        var status = StatusBuilder.Build(Healthy() with { Assignment = null });

        Assert.Equal(("False", "NoAssignment"), Summary(status, "Ready"));
        Assert.Equal(0, status.Members![0].Replicas);
    }

    [Fact]
    public void A_rolling_update_is_progress_not_degradation()
    {
        var rolling = Converged();
        rolling.Status!.UpdateRevision = "demo-def";
        rolling.Status.UpdatedReplicas = 1;

        var status = StatusBuilder.Build(Healthy() with { StatefulSet = rolling, Members = [Member(0), Member(1, podReady: false), Member(2)] });

        Assert.Equal(("True", "RollingUpdate"), Summary(status, "Progressing"));
        Assert.Equal(("False", "Progressing"), Summary(status, "Degraded"));
        Assert.Equal("2/3", status.MembersReady);
    }

    [Fact]
    public void A_StatefulSet_generation_not_yet_observed_counts_as_rolling()
    {
        var pending = Converged();
        pending.Metadata.Generation = 3;

        Assert.Equal(("True", "RollingUpdate"), Summary(StatusBuilder.Build(Healthy() with { StatefulSet = pending }), "Progressing"));
    }

    [Fact]
    public void Scaling_is_progress()
    {
        var status = StatusBuilder.Build(Healthy(TestClusters.Create(spec => spec.Replicas = 5)));

        Assert.Equal(("True", "Scaling"), Summary(status, "Progressing"));
        Assert.Equal("3/5", status.MembersReady);
    }

    public static TheoryData<string, int, string, string> MemberDownCases() => new()
    {
        // name, seconds since the cluster stopped being ready, expected Progressing, expected Degraded
        { "formed cluster, member down shorter than a lease", 3, "True/MembersStarting", "False/Progressing" },
        { "formed cluster, member down longer than a lease", 7, "False/Stable", "True/MembersNotReady" },
    };

    [Theory]
    [MemberData(nameof(MemberDownCases))]
    public void A_member_down_on_a_settled_cluster_is_degraded_after_a_lease_duration(string name, int secondsDown, string progressing, string degraded)
    {
        _ = name;
        var before = StatusBuilder.Build(Healthy() with { Members = [Member(0), Member(1), Member(2, podReady: false)], Now = T0 });
        var input = Healthy(WithStatus(before)) with { Members = [Member(0), Member(1), Member(2, podReady: false)], Now = T0.AddSeconds(secondsDown) };

        var status = StatusBuilder.Build(input);

        Assert.Equal(progressing, string.Join('/', Summary(status, "Progressing").Status, Summary(status, "Progressing").Reason));
        Assert.Equal(degraded, string.Join('/', Summary(status, "Degraded").Status, Summary(status, "Degraded").Reason));
        Assert.Equal(("False", "MembersNotReady"), Summary(status, "Ready"));
    }

    [Fact]
    public void Degraded_message_names_the_members_that_are_not_ready()
    {
        var before = StatusBuilder.Build(Healthy() with { Members = [Member(0)], Now = T0 });

        var status = StatusBuilder.Build(Healthy(WithStatus(before)) with { Members = [Member(0, renewed: T0.AddSeconds(29))], Now = T0.AddSeconds(30) });

        Assert.Equal("Only 1 of 3 members are ready; not ready: demo-1, demo-2.", Condition(status, "Degraded").Message);
    }

    [Theory]
    [InlineData(60, "True", "False")]
    [InlineData(360, "False", "True")]
    public void A_first_start_gets_minutes_before_it_counts_as_degraded(int secondsSinceCreation, string progressing, string degraded)
    {
        var starting = new StatusInput
        {
            Cluster = Defaults.Apply(TestClusters.Create()),
            StatefulSet = Converged(),
            Members = [Member(0, podReady: false), Member(1, podReady: false), Member(2, podReady: false)],
            Now = T0,
        };
        var before = StatusBuilder.Build(starting);

        var status = StatusBuilder.Build(starting with { Cluster = Defaults.Apply(WithStatus(before)), Now = T0.AddSeconds(secondsSinceCreation) });

        Assert.Equal(progressing, Condition(status, "Progressing").Status);
        Assert.Equal(degraded, Condition(status, "Degraded").Status);
    }

    [Fact]
    public void Expired_lease_shows_when_the_member_was_last_heard_of()
    {
        var status = StatusBuilder.Build(Healthy() with { Members = [Member(0), Member(1), Member(2, renewed: T0.AddSeconds(-10).AddMilliseconds(400))] });

        var member = status.Members![2];
        Assert.False(member.Ready);
        Assert.Equal(T0.AddSeconds(-10), member.LeaseRenewTime);
        Assert.Equal(2, status.ReadyMembers);
    }

    [Fact]
    public void Invalid_spec_is_reported_with_every_fix_it_message()
    {
        var problems = new[]
        {
            new ValidationProblem("spec.replication.factor", "Lower the factor."),
            new ValidationProblem("spec.partitions", "Set spec.partitions back to 256."),
        };

        var status = StatusBuilder.Build(Healthy() with { Problems = problems });

        Assert.Equal(("False", "InvalidSpec"), Summary(status, "Valid"));
        Assert.Equal("Lower the factor. Set spec.partitions back to 256.", Condition(status, "Valid").Message);
    }

    [Fact]
    public void A_cluster_invalid_from_the_start_is_degraded_at_once_and_not_progressing()
    {
        var problems = new[] { new ValidationProblem("spec.replication.factor", "Lower the factor.") };

        var status = StatusBuilder.Build(Healthy() with { StatefulSet = null, Members = [], Assignment = null, LeaderLease = null, Problems = problems });

        Assert.Equal(("False", "MembersNotReady"), Summary(status, "Ready"));
        Assert.Equal(("False", "InvalidSpec"), Summary(status, "Progressing"));
        Assert.Equal(("True", "InvalidSpec"), Summary(status, "Degraded"));
        Assert.Contains("0 of 3 members are ready", Condition(status, "Degraded").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_change_to_a_ready_cluster_leaves_it_ready_and_not_degraded()
    {
        var problems = new[] { new ValidationProblem("spec.partitions", "Set spec.partitions back to 256.") };

        var status = StatusBuilder.Build(Healthy() with { Problems = problems });

        Assert.Equal(("True", "MembersReady"), Summary(status, "Ready"));
        Assert.Equal(("False", "InvalidSpec"), Summary(status, "Progressing"));
        Assert.Equal(("False", "MembersReady"), Summary(status, "Degraded"));
    }

    [Fact]
    public void Partition_count_is_recorded_once_and_kept_when_the_spec_changes_it()
    {
        var first = StatusBuilder.Build(Healthy());
        var changed = WithStatus(first, spec => spec.Partitions = 512);

        var status = StatusBuilder.Build(Healthy(changed));

        Assert.Equal(256, first.Partitions);
        Assert.Equal(256, status.Partitions);
    }

    [Fact]
    public void Draining_members_are_rebalancing_and_stall_after_the_drain_deadline()
    {
        var members = new[] { Member(0), Member(1), Member(2), Member(3, draining: true) };
        var assignment = new AssignmentSummary(9, new Dictionary<string, int> { ["demo-3"] = 12 }, new Dictionary<string, int>());
        var input = Healthy() with { Members = members, Assignment = assignment, StatefulSet = Converged(4), LastDrainProgress = T0 };

        var draining = StatusBuilder.Build(input);
        var stalled = StatusBuilder.Build(input with { Now = T0.AddSeconds(600) });

        Assert.Equal(("True", "Draining"), Summary(draining, "Rebalancing"));
        Assert.Equal("Draining demo-3 (12 partition replicas left to move).", Condition(draining, "Rebalancing").Message);
        Assert.Equal(("True", "DrainStalled"), Summary(stalled, "Rebalancing"));
        Assert.Equal(("True", "Scaling"), Summary(draining, "Progressing"));
        Assert.Equal("3/3", draining.MembersReady);
        Assert.True(draining.Members![3].Draining);
    }

    [Theory]
    [InlineData(5, "demo-1")]
    [InlineData(6, null)]
    public void Leader_is_shown_only_while_its_lease_is_fresh(int secondsSinceRenewal, string? expected)
    {
        var status = StatusBuilder.Build(Healthy() with { Now = T0.AddSeconds(secondsSinceRenewal), Members = [] });

        Assert.Equal(expected, status.Leader);
    }

    [Fact]
    public void The_drain_bookkeeping_is_published_and_its_last_progress_decides_when_it_stalls()
    {
        var drain = new DrainStatus { Members = ["demo-3"], MembershipEpoch = 8, StartedAt = T0, LastProgressAt = T0.AddSeconds(300), ReplicasLeft = 4 };
        var input = Healthy() with { Members = [Member(0), Member(1), Member(2), Member(3, draining: true)], StatefulSet = Converged(4), Drain = drain };

        var moving = StatusBuilder.Build(input with { Now = T0.AddSeconds(700) });
        var stalled = StatusBuilder.Build(input with { Now = T0.AddSeconds(900) });

        Assert.Same(drain, moving.Drain);
        Assert.Equal("Draining", Condition(moving, "Rebalancing").Reason);
        Assert.Equal("DrainStalled", Condition(stalled, "Rebalancing").Reason);
    }

    [Fact]
    public void Ignored_changes_keep_the_spec_valid_and_say_how_to_fix_them()
    {
        var status = StatusBuilder.Build(Healthy() with { IgnoredChanges = ["spec.storage asks for 2Gi: set it back to 1Gi."] });

        Assert.Equal(("True", "ChangesIgnored"), Summary(status, "Valid"));
        Assert.Equal("spec.storage asks for 2Gi: set it back to 1Gi.", Condition(status, "Valid").Message);
    }

    [Fact]
    public void An_expired_member_shows_the_renew_time_it_reported_rather_than_when_it_was_observed()
    {
        var member = Member(1, renewed: T0) with { ReportedRenewTime = T0.AddSeconds(-3600) };

        var status = StatusBuilder.Build(Healthy() with { Members = [Member(0), member, Member(2)], Now = T0.AddSeconds(10) });

        Assert.Equal(T0.AddSeconds(-3600), status.Members!.Single(m => m.Name == "demo-1").LeaseRenewTime);
    }
}
