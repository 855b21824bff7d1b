using DataCluster.Agent.Leadership;
using DataCluster.Ring;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace DataCluster.Agent.Tests.Leadership;

public sealed class JoiningMembersTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);
    private static readonly AssignmentSettings Settings = new(16, 3);

    private readonly FakeTimeProvider _clock = new();

    private static Member M(int ordinal, MemberState state = MemberState.Active) => new($"dc-{ordinal}", ordinal, "", "", state);

    private static MemberState[] States(IReadOnlyList<Member> members) => [.. members.Select(m => m.State)];

    /// <summary>dc-2 was a member, drained and left: the published assignment places only dc-0 and dc-1.</summary>
    private static Assignment AfterDc2Left(JoiningMembers joining, AssignmentSettings settings)
    {
        var three = Assigner.Assign(null, [M(0), M(1), M(2)], settings);
        joining.Mark([M(0), M(1), M(2)], three);
        joining.Mark([M(0), M(1), M(2, MemberState.Draining)], three);
        var two = Assigner.Assign(three, [M(0), M(1)], settings);
        joining.Mark([M(0), M(1)], two);
        return two;
    }

    [Fact]
    public void A_member_that_comes_back_joins_until_the_settle_time_has_passed()
    {
        var joining = new JoiningMembers(_clock, Settle);
        var published = AfterDc2Left(joining, Settings);

        Assert.Equal([MemberState.Active, MemberState.Active, MemberState.Joining], States(joining.Mark([M(0), M(1), M(2)], published)));
        Assert.Equal(Settle, joining.UntilNextSettled());

        // Still joining once an assignment places it: the settle counts from its return.
        _clock.Advance(TimeSpan.FromSeconds(1.5));
        var placed = Assigner.Assign(published, [M(0), M(1), M(2, MemberState.Joining)], Settings);
        Assert.Equal(MemberState.Joining, joining.Mark([M(0), M(1), M(2)], placed)[2].State);
        Assert.Equal(TimeSpan.FromSeconds(0.5), joining.UntilNextSettled());

        _clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal([MemberState.Active, MemberState.Active, MemberState.Active], States(joining.Mark([M(0), M(1), M(2)], placed)));
        Assert.Null(joining.UntilNextSettled());
    }

    [Fact]
    public void Members_seen_for_the_first_time_and_members_already_placed_do_not_join()
    {
        // A forming cluster or a scale-up: dc-1 and dc-2 are new, the assignment places only dc-0.
        var joining = new JoiningMembers(_clock, Settle);
        var first = Assigner.Assign(null, [M(0)], Settings);
        Assert.All(joining.Mark([M(0), M(1), M(2)], first), m => Assert.Equal(MemberState.Active, m.State));
        Assert.All(joining.Mark([M(0), M(1), M(2), M(3)], null), m => Assert.Equal(MemberState.Active, m.State));

        // A new cluster leader without history: what the assignment places has settled.
        var fresh = new JoiningMembers(_clock, Settle);
        var published = Assigner.Assign(null, [M(0), M(1), M(2)], Settings);
        Assert.All(fresh.Mark([M(0), M(1), M(2)], published), m => Assert.Equal(MemberState.Active, m.State));
        Assert.Null(fresh.UntilNextSettled());
    }

    [Fact]
    public void A_joining_member_that_drains_or_leaves_is_forgotten_and_joins_again_when_it_returns()
    {
        var joining = new JoiningMembers(_clock, Settle);
        var published = AfterDc2Left(joining, Settings);
        Assert.Equal(MemberState.Joining, joining.Mark([M(0), M(1), M(2)], published)[2].State);

        Assert.Equal(MemberState.Draining, joining.Mark([M(0), M(1), M(2, MemberState.Draining)], published)[2].State);
        Assert.Null(joining.UntilNextSettled());

        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(MemberState.Joining, joining.Mark([M(0), M(1), M(2)], published)[2].State);
        joining.Mark([M(0), M(1)], published);
        Assert.Null(joining.UntilNextSettled());
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(MemberState.Joining, joining.Mark([M(0), M(1), M(2)], published)[2].State);
    }

    [Fact]
    public void A_drain_waits_until_the_joining_members_have_settled()
    {
        var joining = new JoiningMembers(_clock, Settle);
        var published = AfterDc2Left(joining, Settings);
        joining.Mark([M(0), M(1), M(2)], published);

        _clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal([MemberState.Active, MemberState.Active, MemberState.Joining], States(joining.Mark([M(0), M(1, MemberState.Draining), M(2)], published)));

        _clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal([MemberState.Active, MemberState.Draining, MemberState.Active], States(joining.Mark([M(0), M(1, MemberState.Draining), M(2)], published)));
    }

    [Fact]
    public void A_member_the_assignment_cannot_place_joins_once_and_then_stays_settled()
    {
        // Two partitions with one replica each over three members: one member holds nothing.
        var settings = new AssignmentSettings(2, 1);
        var joining = new JoiningMembers(_clock, Settle);
        var published = AfterDc2Left(joining, settings);
        Assert.Equal(MemberState.Joining, joining.Mark([M(0), M(1), M(2)], published)[2].State);
        _clock.Advance(Settle);
        var placed = Assigner.Assign(published, [M(0), M(1), M(2)], settings);
        Assert.Equal(0, placed.ReplicaCountOf("dc-2"));

        Assert.All(joining.Mark([M(0), M(1), M(2)], placed), m => Assert.Equal(MemberState.Active, m.State));
        Assert.All(joining.Mark([M(0), M(1), M(2)], placed), m => Assert.Equal(MemberState.Active, m.State));
        Assert.Null(joining.UntilNextSettled());
        Assert.Equal(MemberState.Draining, joining.Mark([M(0, MemberState.Draining), M(1), M(2)], placed)[0].State);
    }

    [Fact]
    public void A_settle_time_that_is_not_positive_is_refused_with_the_rule()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new JoiningMembers(_clock, TimeSpan.Zero));
        Assert.Contains("must be positive", error.Message, StringComparison.Ordinal);
    }
}
