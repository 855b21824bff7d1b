using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using Xunit;

namespace DataCluster.Operator.Tests;

/// <summary>Reconciling and Stalled, the conditions kstatus (Flux, kpt) reads; docs/gitops.md has the mapping.</summary>
public partial class StatusBuilderTests
{
    /// <summary>One input per state a GitOps tool has to tell apart.</summary>
    private static StatusInput State(string state)
    {
        // Every member that is up renewed its Lease a second before "now".
        MemberFacts[] MemberDown(int now) => [Member(0, renewed: T0.AddSeconds(now - 1)), Member(1, renewed: T0.AddSeconds(now - 1)), Member(2, podReady: false)];
        MemberFacts[] Draining(int now) =>
            [.. Enumerable.Range(0, 4).Select(i => Member(i, draining: i == 3, renewed: T0.AddSeconds(now - 1)))];
        var drainAssignment = new AssignmentSummary(9, new Dictionary<string, int> { ["demo-3"] = 12 }, new Dictionary<string, int>());
        var rolling = Converged();
        rolling.Status!.UpdateRevision = "demo-def";
        rolling.Status.UpdatedReplicas = 1;
        var down = StatusBuilder.Build(Healthy() with { Members = MemberDown(0), Now = T0 });
        return state switch
        {
            "ready" => Healthy(),
            "creating" => Healthy() with { StatefulSet = null, Members = [], Assignment = null, LeaderLease = null },
            "rolling" => Healthy() with { StatefulSet = rolling, Members = [Member(0), Member(1, podReady: false), Member(2)] },
            "scaling" => Healthy(TestClusters.Create(spec => spec.Replicas = 5)),
            "waiting for the first assignment" => Healthy() with { Assignment = null },
            "member down within a lease" => Healthy(WithStatus(down)) with { Members = MemberDown(3), Now = T0.AddSeconds(3) },
            "member down beyond a lease" => Healthy(WithStatus(down)) with { Members = MemberDown(7), Now = T0.AddSeconds(7) },
            "invalid from the start" => Healthy() with
            {
                StatefulSet = null, Members = [], Assignment = null, LeaderLease = null,
                Problems = [new ValidationProblem("spec.replication.factor", "Lower the factor.")],
            },
            "invalid change to a ready cluster" => Healthy() with { Problems = [new ValidationProblem("spec.partitions", "Set spec.partitions back to 256.")] },
            "ignored change" => Healthy() with { IgnoredChanges = ["spec.storage asks for 2Gi: set it back to 1Gi."] },
            "draining" => Healthy() with { Members = Draining(1), Assignment = drainAssignment, StatefulSet = Converged(4), LastDrainProgress = T0 },
            "drain stalled" => Healthy() with { Members = Draining(600), Assignment = drainAssignment, StatefulSet = Converged(4), LastDrainProgress = T0, Now = T0.AddSeconds(600) },
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
        };
    }

    public static TheoryData<string, string, string> KstatusCases() => new()
    {
        // state, Reconciling status/reason, Stalled status/reason
        { "ready", "False/Stable", "False/NotStalled" },
        { "creating", "True/Creating", "False/NotStalled" },
        { "rolling", "True/RollingUpdate", "False/NotStalled" },
        { "scaling", "True/Scaling", "False/NotStalled" },
        { "waiting for the first assignment", "True/NoAssignment", "False/NotStalled" },
        { "member down within a lease", "True/MembersStarting", "False/NotStalled" },
        { "member down beyond a lease", "False/Stalled", "True/MembersNotReady" },
        { "invalid from the start", "False/Stalled", "True/InvalidSpec" },
        { "invalid change to a ready cluster", "False/Stalled", "True/InvalidSpec" },
        { "ignored change", "False/Stalled", "True/ChangesIgnored" },
        { "draining", "True/Scaling", "False/NotStalled" },
        { "drain stalled", "False/Stalled", "True/DrainStalled" },
    };

    [Theory]
    [MemberData(nameof(KstatusCases))]
    public void Reconciling_and_Stalled_tell_kstatus_whether_the_cluster_is_on_its_way_or_needs_the_user(string state, string reconciling, string stalled)
    {
        var status = StatusBuilder.Build(State(state));

        Assert.Equal(reconciling, $"{Summary(status, "Reconciling").Status}/{Summary(status, "Reconciling").Reason}");
        Assert.Equal(stalled, $"{Summary(status, "Stalled").Status}/{Summary(status, "Stalled").Reason}");
    }

    [Theory]
    [MemberData(nameof(KstatusCases))]
    public void Reconciling_is_Progressing_unless_stalled_and_never_True_together_with_Stalled(string state, string reconciling, string stalled)
    {
        _ = (reconciling, stalled);
        var status = StatusBuilder.Build(State(state));
        var isStalled = Conditions.IsTrue(status.Conditions, "Stalled");
        var isReconciling = Conditions.IsTrue(status.Conditions, "Reconciling");

        Assert.False(isStalled && isReconciling);
        if (!isStalled && Conditions.IsTrue(status.Conditions, "Progressing"))
        {
            Assert.True(isReconciling);
            Assert.Equal(Condition(status, "Progressing").Reason, Condition(status, "Reconciling").Reason);
        }
    }

    [Theory]
    [InlineData("member down beyond a lease", "Degraded")]
    [InlineData("invalid from the start", "Valid")]
    [InlineData("ignored change", "Valid")]
    [InlineData("drain stalled", "Rebalancing")]
    public void Stalled_repeats_the_fix_it_message_of_the_condition_it_stands_for(string state, string source)
    {
        var status = StatusBuilder.Build(State(state));

        Assert.Equal(Condition(status, source).Message, Condition(status, "Stalled").Message);
    }

    [Fact]
    public void A_recovered_member_clears_Stalled()
    {
        var stalled = StatusBuilder.Build(State("member down beyond a lease"));

        var recovered = StatusBuilder.Build(Healthy(WithStatus(stalled)) with
        {
            Members = [Member(0, renewed: T0.AddSeconds(19)), Member(1, renewed: T0.AddSeconds(19)), Member(2, renewed: T0.AddSeconds(19))],
            Now = T0.AddSeconds(20),
        });

        Assert.Equal(("False", "NotStalled"), Summary(recovered, "Stalled"));
        Assert.Equal(("False", "Stable"), Summary(recovered, "Reconciling"));
        Assert.Equal(T0.AddSeconds(20), Condition(recovered, "Stalled").LastTransitionTime);
    }
}
