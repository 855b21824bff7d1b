using DataCluster.Ring;

namespace DataCluster.Ring.Tests;

/// <summary>Table-driven tests of snapshots, the holder, settings, diffs and placement edge cases.</summary>
public sealed class AssignmentTests
{
    private static List<Member> Members(int count, int zones = 1, string region = "r") =>
        [.. Enumerable.Range(0, count).Select(i => new Member($"m{i}", i, $"z{i % zones}", region))];

    [Theory]
    [InlineData(0, 3, 0, 0, "partitions")]
    [InlineData(16, 0, 0, 0, "replicationFactor")]
    [InlineData(16, 3, 3, 0, "otherZoneReplicas")]
    [InlineData(16, 3, 1, 2, "otherRegionReplicas")]
    public void Settings_reject_values_with_a_message_that_says_how_to_fix_them(int partitions, int factor, int zone, int region, string named)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new AssignmentSettings(partitions, factor, zone, region));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_rejects_duplicates_wrong_counts_and_overlong_lists()
    {
        Assert.Throws<ArgumentException>(() => Assignment.Create(1, 2, 3, [["a", "a"], []]));
        Assert.Throws<ArgumentException>(() => Assignment.Create(1, 2, 3, [["a"]]));
        Assert.Throws<ArgumentException>(() => Assignment.Create(1, 1, 1, [["a", "b"]]));
        var ok = Assignment.Create(4, 2, 2, [["a", "b"], ["b"]]);
        Assert.Equal("a", ok.LeaderOf(0));
        Assert.Equal(["a", "b"], ok.Members);
        Assert.Equal(ok, Assignment.Create(4, 2, 2, ok.ToReplicaLists()));
    }

    [Fact]
    public void Holder_refuses_snapshots_that_are_not_newer()
    {
        var holder = new AssignmentHolder();
        var one = Assignment.Create(1, 1, 1, [["a"]]);
        Assert.True(holder.TryReplace(one));
        Assert.False(holder.TryReplace(Assignment.Create(1, 1, 1, [["b"]])));
        Assert.False(holder.TryReplace(Assignment.Empty(1, 1)));
        Assert.True(holder.TryReplace(Assignment.Create(2, 1, 1, [["b"]])));
        Assert.Equal(2, holder.Current!.Epoch);
        Assert.Throws<ArgumentException>(() => holder.TryReplace(Assignment.Create(3, 2, 1, [["a"], ["b"]])));
    }

    [Fact]
    public void Holder_never_moves_backwards_under_concurrent_replacement()
    {
        var holder = new AssignmentHolder();
        Parallel.For(1, 2000, epoch => holder.TryReplace(Assignment.Create(epoch, 1, 1, [["a"]])));
        Assert.Equal(1999, holder.Current!.Epoch);
    }

    [Fact]
    public void Diff_lists_gained_lost_and_leadership_changes_sorted()
    {
        var before = Assignment.Create(1, 4, 2, [["a", "b"], ["b", "a"], ["b", "c"], ["c", "b"]]);
        var after = Assignment.Create(2, 4, 2, [["b", "a"], ["a", "c"], ["a", "b"], ["c", "b"]]);
        var diff = Assignment.Diff(before, after, "a");
        Assert.Equal([2], diff.Gained);
        Assert.Empty(diff.Lost);
        Assert.Equal([1, 2], diff.StartedLeading);
        Assert.Equal([0], diff.StoppedLeading);
        Assert.Equal([0, 1, 2], Assignment.Diff(null, after, "a").Gained);
        Assert.True(Assignment.Diff(after, after, "c").IsEmpty);
    }

    [Fact]
    public void First_assignment_has_epoch_one_and_factor_capped_by_members()
    {
        var result = Assigner.Assign(null, Members(2), new AssignmentSettings(8, 3));
        Assert.Equal(1, result.Epoch);
        Assert.All(Enumerable.Range(0, 8), p => Assert.Equal(2, result.ReplicasOf(p).Length));
        Assert.Equal(2, Assigner.Assign(result, Members(2), new AssignmentSettings(8, 3)).Epoch);
    }

    [Fact]
    public void Duplicate_ids_and_a_changed_partition_count_are_rejected()
    {
        var members = Members(2).Append(new Member("m0", 9, "z", "r")).ToList();
        Assert.Throws<ArgumentException>(() => Assigner.Assign(null, members, new AssignmentSettings(8, 1)));
        Assert.Throws<ArgumentException>(() => Assigner.Assign(Assignment.Empty(4, 1), Members(2), new AssignmentSettings(8, 1)));
    }

    [Fact]
    public void A_draining_member_hands_everything_over_while_active_members_exist()
    {
        var members = Members(4);
        var settings = new AssignmentSettings(64, 2);
        var before = Assigner.Assign(null, members, settings);
        members[1] = members[1] with { State = MemberState.Draining };
        var after = Assigner.Assign(before, members, settings);
        Assert.Equal(0, after.ReplicaCountOf("m1"));
        Assert.Equal(before.ReplicaCountOf("m1"), Invariants.MovedReplicas(before, after));
    }

    [Fact]
    public void With_every_member_draining_replicas_stay_and_nobody_leads()
    {
        var members = Members(2);
        var settings = new AssignmentSettings(8, 2);
        var before = Assigner.Assign(null, members, settings);
        var after = Assigner.Assign(before, [.. members.Select(m => m with { State = MemberState.Draining })], settings);
        Assert.True(before.ToReplicaLists().Zip(after.ToReplicaLists()).All(pair => pair.First.SequenceEqual(pair.Second)));
        Assert.All(Enumerable.Range(0, 8), p => Assert.Null(after.LeaderOf(p)));
        Assert.Equal(["m0", "m1"], after.Draining);
    }

    [Theory]
    [InlineData(2, 1, 1)] // two zones, one replica in the other zone: every partition spans both
    [InlineData(3, 2, 2)] // three zones, two in other zones: every partition spans all three
    public void Other_zone_replicas_are_placed_when_zones_exist(int zones, int otherZone, int expectedOtherZones)
    {
        var members = Members(zones * 3, zones);
        var result = Assigner.Assign(null, members, new AssignmentSettings(96, 3, otherZone));
        for (var p = 0; p < 96; p++)
        {
            var ids = result.ReplicasOf(p).ToArray();
            var leaderZone = members.Single(m => m.Id == ids[0]).Zone;
            Assert.True(ids.Skip(1).Count(id => members.Single(m => m.Id == id).Zone != leaderZone) >= expectedOtherZones);
        }
    }

    [Fact]
    public void Missing_zones_fall_back_to_any_member_instead_of_failing()
    {
        var members = Members(4, zones: 1).Append(new Member("unknown", 9, "", "")).ToList();
        var result = Assigner.Assign(null, members, new AssignmentSettings(32, 3, 1, 1));
        Invariants.Check(null, members, new AssignmentSettings(32, 3, 1, 1), result);
        Assert.All(Enumerable.Range(0, 32), p => Assert.Equal(3, result.ReplicasOf(p).Length));
    }

    [Fact]
    public void A_member_alone_in_its_zone_holds_every_partition_led_elsewhere()
    {
        var members = Members(5, zones: 1).Append(new Member("alone", 9, "other", "r")).ToList();
        var result = Assigner.Assign(null, members, new AssignmentSettings(60, 2, 1));
        Assert.All(Enumerable.Range(0, 60), p => Assert.Contains("alone", result.ReplicasOf(p).ToArray()));
    }

    [Fact]
    public void Other_region_replicas_are_placed_when_regions_exist()
    {
        var members = Members(3, 1, "east").Concat(Members(3, 1, "west").Select(m => m with { Id = "w" + m.Id })).ToList();
        var result = Assigner.Assign(null, members, new AssignmentSettings(48, 2, 0, 1));
        for (var p = 0; p < 48; p++)
        {
            var regions = result.ReplicasOf(p).ToArray().Select(id => members.Single(m => m.Id == id).Region).Distinct();
            Assert.Equal(2, regions.Count());
        }
    }

    [Fact]
    public void Lookup_routes_keys_without_allocating()
    {
        var lookup = new RingLookup(Assigner.Assign(null, Members(5), new AssignmentSettings(256, 3)));
        var key = "customer-7:orders";
        var partition = KeyHash.PartitionOf(key, 256);
        Assert.Equal(partition, lookup.PartitionOf(key));
        Assert.Equal(lookup.Assignment.LeaderOf(partition), lookup.LeaderOf(key));
        _ = lookup.LeaderOf(key);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            _ = lookup.LeaderOf(key);
            _ = lookup.ReplicasOf(key).Length;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
