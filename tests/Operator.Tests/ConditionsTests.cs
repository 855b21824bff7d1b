using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using Xunit;

namespace DataCluster.Operator.Tests;

public class ConditionsTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Setting_a_new_condition_appends_it_with_the_transition_time_in_whole_seconds()
    {
        var conditions = new List<Condition>();

        var changed = Conditions.Set(conditions, "Ready", "False", "MembersNotReady", "0/3 members ready", 4, T0.AddMilliseconds(750));

        Assert.True(changed);
        var condition = Assert.Single(conditions);
        Assert.Equal(("Ready", "False", "MembersNotReady", "0/3 members ready", 4L, T0),
            (condition.Type, condition.Status, condition.Reason, condition.Message, condition.ObservedGeneration!.Value, condition.LastTransitionTime!.Value));
    }

    [Fact]
    public void Same_status_keeps_the_transition_time_while_reason_message_and_generation_update()
    {
        var conditions = new List<Condition>();
        Conditions.Set(conditions, "Ready", "False", "MembersNotReady", "0/3 members ready", 4, T0);

        var changed = Conditions.Set(conditions, "Ready", "False", "NoAssignment", "waiting for the leader", 5, T0.AddMinutes(1));

        Assert.True(changed);
        var condition = Assert.Single(conditions);
        Assert.Equal(T0, condition.LastTransitionTime);
        Assert.Equal(("NoAssignment", "waiting for the leader", 5L), (condition.Reason, condition.Message, condition.ObservedGeneration!.Value));
    }

    [Fact]
    public void Changed_status_moves_the_transition_time_and_keeps_the_position()
    {
        var conditions = new List<Condition>();
        Conditions.Set(conditions, "Ready", "False", "MembersNotReady", "", 1, T0);
        Conditions.Set(conditions, "Valid", "True", "Valid", "", 1, T0);

        Conditions.Set(conditions, "Ready", "True", "MembersReady", "", 1, T0.AddMinutes(2));

        Assert.Equal(["Ready", "Valid"], conditions.Select(c => c.Type));
        Assert.Equal(T0.AddMinutes(2), conditions[0].LastTransitionTime);
    }

    [Fact]
    public void Setting_an_identical_condition_changes_nothing()
    {
        var conditions = new List<Condition>();
        Conditions.Set(conditions, "Valid", "True", "Valid", "ok", 3, T0);
        var before = conditions[0];

        var changed = Conditions.Set(conditions, "Valid", "True", "Valid", "ok", 3, T0.AddHours(1));

        Assert.False(changed);
        Assert.Same(before, conditions[0]);
    }

    [Fact]
    public void Changes_lists_conditions_whose_status_or_reason_differs_including_new_ones()
    {
        var before = new List<Condition>();
        Conditions.Set(before, "Ready", "True", "MembersReady", "", 1, T0);
        Conditions.Set(before, "Degraded", "False", "AsDesired", "", 1, T0);
        Conditions.Set(before, "Rebalancing", "True", "Draining", "", 1, T0);
        var after = new List<Condition>();
        Conditions.Set(after, "Ready", "False", "MembersNotReady", "", 1, T0);
        Conditions.Set(after, "Degraded", "False", "AsDesired", "changed message only", 1, T0);
        Conditions.Set(after, "Rebalancing", "True", "DrainStalled", "", 1, T0);
        Conditions.Set(after, "Valid", "True", "Valid", "", 1, T0);

        var changes = Conditions.Changes(before, after);

        Assert.Equal(
            [("Ready", "True", "MembersReady", "False"), ("Rebalancing", "True", "Draining", "True"), ("Valid", null, null, "True")],
            changes.Select(c => (c.Type, c.From, c.FromReason, c.Current.Status)));
    }

    [Fact]
    public void Find_and_IsTrue_tolerate_missing_lists()
    {
        Assert.Null(Conditions.Find(null, "Ready"));
        Assert.False(Conditions.IsTrue(null, "Ready"));
        Assert.True(Conditions.IsTrue([new Condition { Type = "Ready", Status = "True" }], "Ready"));
    }
}
