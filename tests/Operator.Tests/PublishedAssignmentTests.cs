using DataCluster.Contracts;
using DataCluster.Kube.Models;
using DataCluster.Operator.Controllers;
using DataCluster.Ring;
using Xunit;

namespace DataCluster.Operator.Tests;

public class PublishedAssignmentTests
{
    private static readonly Assignment Three = Assignment.Create(7, 4, 2,
        [["demo-0", "demo-1"], ["demo-1", "demo-2"], ["demo-2", "demo-0"], ["demo-0", "demo-2"]]);

    private static ConfigMap Map(string? assignment, string? membershipEpoch = "5") => new()
    {
        Data = assignment is null ? null : new Dictionary<string, string>
        {
            [AssignmentConfigMapKeys.Assignment] = assignment,
            [AssignmentConfigMapKeys.MembershipEpoch] = membershipEpoch ?? "",
        },
    };

    [Fact]
    public void An_empty_or_missing_ConfigMap_means_no_agent_has_published()
    {
        Assert.False(PublishedAssignment.Read(null).HasData);
        Assert.False(PublishedAssignment.Read(new ConfigMap()).HasData);
        Assert.False(PublishedAssignment.Read(Map("  ")).HasData);
    }

    [Fact]
    public void A_published_assignment_is_decoded_and_summarized_per_member()
    {
        var read = PublishedAssignment.Read(Map(AssignmentCodec.Encode(Three)));

        Assert.True(read.HasData);
        Assert.Null(read.Error);
        Assert.Equal((7L, 5L), (read.Summary!.Epoch, read.MembershipEpoch!.Value));
        Assert.Equal(3, read.Summary.Replicas["demo-0"]);
        Assert.Equal(2, read.Summary.Leads["demo-0"]);
        Assert.Equal(1, read.Summary.Leads["demo-2"]);
    }

    [Fact]
    public void An_unreadable_assignment_has_data_but_no_value_and_says_why()
    {
        var read = PublishedAssignment.Read(Map("datacluster-assignment v9\n"));

        Assert.True(read.HasData);
        Assert.Null(read.Value);
        Assert.Contains("v9", read.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5", 5, 5)]
    [InlineData("6", 5, 5)]
    [InlineData("4", 5, null)]
    [InlineData("", 5, null)]
    public void Replicas_held_by_draining_members_count_only_from_an_assignment_computed_after_the_drain_began(string membershipEpoch, long drainEpoch, int? expected)
    {
        var read = PublishedAssignment.Read(Map(AssignmentCodec.Encode(Three), membershipEpoch));

        Assert.Equal(expected, read.ReplicasHeldBy(["demo-1", "demo-2"], drainEpoch));
    }
}
