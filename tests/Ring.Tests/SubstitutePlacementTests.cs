namespace DataCluster.Ring.Tests;

/// <summary>The choice of a stand-in for a down replica: each ranking rule, the fallback, bad input.</summary>
public sealed class SubstitutePlacementTests
{
    private static readonly AssignmentSettings Plain = new(16, 3);

    private static Member M(string id, string zone = "", string region = "", MemberState state = MemberState.Active) =>
        new(id, int.Parse(id.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture), zone, region, state);

    private static string? Choose(
        IReadOnlyList<Member> members, IReadOnlyList<string> replicas, string replaced,
        AssignmentSettings? settings = null, Func<string, bool>? usable = null, Func<string, int>? load = null) =>
        SubstitutePlacement.Choose(members, settings ?? Plain, replicas, replaced, usable ?? (_ => true), load);

    [Fact]
    public void The_only_member_outside_the_set_stands_in()
    {
        Assert.Equal("m3", Choose([M("m0"), M("m1"), M("m2"), M("m3")], ["m0", "m1", "m2"], "m1"));
    }

    [Fact]
    public void No_stand_in_when_every_member_holds_a_replica()
    {
        Assert.Null(Choose([M("m0"), M("m1"), M("m2")], ["m0", "m1", "m2"], "m2"));
    }

    [Fact]
    public void Members_in_the_set_unusable_or_draining_never_stand_in()
    {
        Member[] members = [M("m0"), M("m1"), M("m2"), M("m3"), M("m4", state: MemberState.Draining), M("m5")];

        // m3 is a stand-in already in place for another down member; m5 is known down.
        Assert.Null(Choose(members, ["m0", "m1", "m2", "m3"], "m1", new AssignmentSettings(16, 4), usable: id => id != "m5"));
        Assert.Equal("m5", Choose(members, ["m0", "m1", "m2", "m3"], "m1", new AssignmentSettings(16, 4)));
    }

    [Fact]
    public void A_candidate_that_keeps_the_other_zone_requirement_wins_over_a_nearer_and_idler_one()
    {
        // Leader in zone a; the down member m1 was the partition's only replica in another zone.
        Member[] members = [M("m0", "a", "r"), M("m1", "b", "r"), M("m2", "a", "r"), M("m3", "a", "r"), M("m4", "c", "r")];
        var settings = new AssignmentSettings(16, 3, OtherZoneReplicas: 1);

        var chosen = Choose(members, ["m0", "m1", "m2"], "m1", settings, load: id => id == "m4" ? 100 : 0);

        Assert.Equal("m4", chosen);
    }

    [Fact]
    public void A_candidate_that_keeps_the_other_region_requirement_wins()
    {
        Member[] members = [M("m0", "a", "r1"), M("m1", "b", "r2"), M("m2", "c", "r1"), M("m3", "b", "r1"), M("m4", "d", "r3")];
        var settings = new AssignmentSettings(16, 3, OtherZoneReplicas: 1, OtherRegionReplicas: 1);

        // m3 sits in the down member's zone name but in the leader's region: it would leave the
        // partition without a replica in another region.
        Assert.Equal("m4", Choose(members, ["m0", "m1", "m2"], "m1", settings));
    }

    [Fact]
    public void The_down_members_zone_comes_first_then_its_region_then_anywhere()
    {
        Member[] near = [M("m0", "a", "r1"), M("m1", "b", "r1"), M("m2", "c", "r1"), M("m3", "x", "r2"), M("m4", "c", "r1"), M("m5", "b", "r1")];
        Assert.Equal("m5", Choose(near, ["m0", "m1", "m2"], "m1"));

        Member[] region = [.. near.Where(m => m.Id != "m5")];
        Assert.Equal("m4", Choose(region, ["m0", "m1", "m2"], "m1"));

        Member[] anywhere = [.. region.Where(m => m.Id != "m4")];
        Assert.Equal("m3", Choose(anywhere, ["m0", "m1", "m2"], "m1"));
    }

    [Fact]
    public void Among_equally_near_members_the_least_loaded_stands_in_and_ties_go_to_the_lowest_id()
    {
        Member[] members = [M("m0"), M("m1"), M("m2"), M("m3"), M("m4"), M("m5")];
        var loads = new Dictionary<string, int> { ["m3"] = 7, ["m4"] = 5, ["m5"] = 5 };

        Assert.Equal("m4", Choose(members, ["m0", "m1", "m2"], "m2", load: id => loads.GetValueOrDefault(id)));
        Assert.Equal("m3", Choose(members, ["m0", "m1", "m2"], "m2"));
    }

    [Fact]
    public void When_no_candidate_keeps_the_requirements_a_copy_in_the_wrong_zone_still_stands_in()
    {
        // The down member was the only one in another zone.
        Member[] members = [M("m0", "a", "r"), M("m1", "b", "r"), M("m2", "a", "r"), M("m3", "a", "r")];
        var settings = new AssignmentSettings(16, 3, OtherZoneReplicas: 1);

        Assert.Equal("m3", Choose(members, ["m0", "m1", "m2"], "m1", settings));
    }

    [Fact]
    public void When_every_candidate_breaks_a_requirement_the_one_breaking_the_fewest_stands_in()
    {
        // The set already lacks its other-zone replica (m1 shares the leader's zone); the down
        // member m2 was its other-region replica. m3 (idle, lowest id) would break both
        // requirements; m4 and m5 break one each, and m5 is in the down member's region.
        Member[] members = [M("m0", "a", "r1"), M("m1", "a", "r1"), M("m2", "c", "r2"), M("m3", "a", "r1"), M("m4", "b", "r1"), M("m5", "d", "r2"), M("m6", "e", "r1")];
        var settings = new AssignmentSettings(16, 3, OtherZoneReplicas: 1, OtherRegionReplicas: 1);
        var loads = new Dictionary<string, int> { ["m4"] = 9, ["m5"] = 9, ["m6"] = 9 };

        Assert.Equal("m5", Choose(members, ["m0", "m1", "m2"], "m2", settings, usable: id => id != "m6", load: id => loads.GetValueOrDefault(id)));
        Assert.Equal("m4", Choose(members, ["m0", "m1", "m2"], "m2", settings, usable: id => id is not ("m5" or "m6"), load: id => loads.GetValueOrDefault(id)));
    }

    [Fact]
    public void Unknown_zones_are_neither_near_nor_far()
    {
        // m3's zone is unknown: it is not "the down member's zone", so m4 in the same region
        // but another zone does not lose to it on nearness, and m4's lower load decides.
        Member[] members = [M("m0", "a", "r"), M("m1", "", "r"), M("m2", "a", "r"), M("m3", "", "r"), M("m4", "b", "r")];
        Assert.Equal("m4", Choose(members, ["m0", "m1", "m2"], "m1", load: id => id == "m3" ? 3 : 1));
    }

    [Fact]
    public void Set_members_missing_from_the_ring_have_an_unknown_location_and_do_not_break_the_choice()
    {
        Member[] members = [M("m0", "a", "r"), M("m2", "a", "r"), M("m3", "b", "r")];
        var settings = new AssignmentSettings(16, 3, OtherZoneReplicas: 1);

        Assert.Equal("m3", Choose(members, ["m0", "m1", "m2"], "m1", settings));
    }

    [Fact]
    public void The_choice_does_not_depend_on_the_order_of_members()
    {
        var random = new Random(7);
        Member[] members = [.. Enumerable.Range(0, 12).Select(i => M($"m{i}", $"z{i % 3}", $"r{i % 2}"))];
        var settings = new AssignmentSettings(16, 3, OtherZoneReplicas: 1, OtherRegionReplicas: 1);
        var expected = Choose(members, ["m0", "m1", "m5"], "m5", settings, load: id => id.Length);

        for (var round = 0; round < 20; round++)
        {
            var shuffled = members.OrderBy(_ => random.Next()).ToArray();
            Assert.Equal(expected, Choose(shuffled, ["m0", "m1", "m5"], "m5", settings, load: id => id.Length));
        }

        Assert.NotNull(expected);
    }

    [Fact]
    public void Bad_input_is_refused_with_a_message_naming_the_problem()
    {
        Member[] members = [M("m0"), M("m1"), M("m2"), M("m3")];

        var notInSet = Assert.Throws<ArgumentException>(() => Choose(members, ["m0", "m1"], "m2"));
        Assert.Contains("'m2' is not in the replica set", notInSet.Message, StringComparison.Ordinal);
        var twice = Assert.Throws<ArgumentException>(() => Choose([M("m0"), M("m0")], ["m0"], "m0"));
        Assert.Contains("appears twice", twice.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Choose([new Member("", 0, "", "")], ["m0"], "m0"));
        Assert.Throws<ArgumentNullException>(() => SubstitutePlacement.Choose(members, Plain, ["m0"], "m0", null!));
    }
}
