using DataCluster.Contracts;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using Xunit;

namespace DataCluster.Operator.Tests;

public class RingEndpointSliceBuilderTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A healthy member whose Lease was renewed at T0 (6 s duration).</summary>
    private static MemberFacts Member(int ordinal, string? ip = null, bool podReady = true, bool draining = false, DateTimeOffset? renewed = null, string? uid = null) =>
        new($"demo-{ordinal}", ordinal, uid ?? $"uid-{ordinal}", ip ?? $"10.0.0.{ordinal + 10}", $"node-{ordinal}", $"zone-{(char)('a' + ordinal)}",
            podReady, renewed ?? T0, 6, draining);

    private static MemberFacts[] Healthy(int count) => [.. Enumerable.Range(0, count).Select(i => Member(i))];

    private static RingSlice Build(IReadOnlyList<MemberFacts> members, EndpointSlice? previous = null, long recordedEpoch = 0, DateTimeOffset? now = null) =>
        RingEndpointSliceBuilder.Build(Defaults.Apply(TestClusters.Create()), members, previous, recordedEpoch, now ?? T0.AddSeconds(1));

    private static (bool? Ready, bool? Serving, bool? Terminating) Conditions(RingSlice ring, string pod)
    {
        var conditions = ring.Slice.Endpoints.Single(e => e.Hostname == pod).Conditions!;
        return (conditions.Ready, conditions.Serving, conditions.Terminating);
    }

    public sealed record EpochCase(string Name, MemberFacts[] Before, MemberFacts[] After, DateTimeOffset Now, bool Changes);

    private static readonly EpochCase[] EpochCases =
    [
        new("nothing changes", Healthy(3), Healthy(3), T0.AddSeconds(2), Changes: false),
        new("leases renewed, nothing else changes", Healthy(3), [.. Healthy(3).Select(m => m with { LeaseRenewTime = T0.AddSeconds(2) })], T0.AddSeconds(3), Changes: false),
        new("a lease expires", Healthy(3), Healthy(3), T0.AddSeconds(6), Changes: true),
        new("a pod turns not ready", Healthy(3), [Member(0), Member(1, podReady: false), Member(2)], T0.AddSeconds(1), Changes: true),
        new("a pod is deleted", Healthy(3), Healthy(2), T0.AddSeconds(1), Changes: true),
        new("a member joins", Healthy(3), Healthy(4), T0.AddSeconds(1), Changes: true),
        new("a member starts draining", Healthy(3), [Member(0), Member(1), Member(2, draining: true)], T0.AddSeconds(1), Changes: true),
        new("a pod is recreated with a new uid and IP", Healthy(3), [Member(0), Member(1), Member(2, ip: "10.0.0.99", uid: "uid-2b")], T0.AddSeconds(1), Changes: true),
        new("a pod loses its IP", Healthy(3), [Member(0), Member(1), Member(2) with { PodIp = null }], T0.AddSeconds(1), Changes: true),
        new("a node moves zone", Healthy(3), [Member(0), Member(1), Member(2) with { Zone = "zone-z" }], T0.AddSeconds(1), Changes: true),
        new("facts arrive in another order", Healthy(3), [.. Healthy(3).Reverse()], T0.AddSeconds(1), Changes: false),
    ];

    public static TheoryData<string> EpochCaseNames() => [.. EpochCases.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(EpochCaseNames))]
    public void Epoch_increases_exactly_when_membership_changes(string name)
    {
        var @case = EpochCases.Single(c => c.Name == name);
        var before = Build(@case.Before, now: T0.AddSeconds(1));

        var after = Build(@case.After, before.Slice, recordedEpoch: before.Epoch, now: @case.Now);

        Assert.Equal(@case.Changes, after.MembershipChanged);
        Assert.Equal(before.Epoch + (@case.Changes ? 1 : 0), after.Epoch);
        Assert.Equal(after.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture), after.Slice.Metadata.Annotations![AnnotationKeys.MembershipEpoch]);
    }

    [Fact]
    public void First_publish_has_epoch_1()
    {
        var ring = Build(Healthy(3));

        Assert.Equal(1, ring.Epoch);
        Assert.True(ring.MembershipChanged);
        Assert.Equal("1", ring.Slice.Metadata.Annotations![AnnotationKeys.MembershipEpoch]);
    }

    [Fact]
    public void A_recreated_slice_continues_after_the_epoch_recorded_in_status()
    {
        Assert.Equal(8, Build(Healthy(3), previous: null, recordedEpoch: 7).Epoch);
    }

    [Fact]
    public void A_previous_slice_without_a_readable_epoch_counts_as_changed()
    {
        var previous = Build(Healthy(3)).Slice;
        previous.Metadata.Annotations![AnnotationKeys.MembershipEpoch] = "garbage";

        var ring = Build(Healthy(3), previous, recordedEpoch: 4);

        Assert.True(ring.MembershipChanged);
        Assert.Equal(5, ring.Epoch);
    }

    [Fact]
    public void An_expired_lease_makes_the_member_neither_ready_nor_serving()
    {
        var ring = Build(Healthy(3), now: T0.AddSeconds(6));

        Assert.Equal((false, false, false), Conditions(ring, "demo-1"));
    }

    [Fact]
    public void A_not_ready_pod_with_a_fresh_lease_is_neither_ready_nor_serving()
    {
        var ring = Build([Member(0, podReady: false)]);

        Assert.Equal((false, false, false), Conditions(ring, "demo-0"));
    }

    [Fact]
    public void A_draining_member_is_terminating_and_not_ready_but_still_serving_and_is_annotated()
    {
        var ring = Build([Member(0), Member(1, draining: true), Member(2, draining: true)]);

        Assert.Equal((true, true, false), Conditions(ring, "demo-0"));
        Assert.Equal((false, true, true), Conditions(ring, "demo-1"));
        Assert.Equal("demo-1,demo-2", ring.Slice.Metadata.Annotations![AnnotationKeys.DrainingMembers]);
    }

    [Fact]
    public void No_draining_annotation_when_nobody_drains()
    {
        Assert.False(Build(Healthy(3)).Slice.Metadata.Annotations!.ContainsKey(AnnotationKeys.DrainingMembers));
    }

    [Fact]
    public void Endpoints_are_sorted_by_ordinal_and_describe_their_pod()
    {
        var ring = Build([Member(10), Member(2), Member(1)]);

        Assert.Equal(["demo-1", "demo-2", "demo-10"], ring.Slice.Endpoints.Select(e => e.Hostname));
        var endpoint = ring.Slice.Endpoints[0];
        Assert.Equal(["10.0.0.11"], endpoint.Addresses);
        Assert.Equal(("node-1", "zone-b"), (endpoint.NodeName, endpoint.Zone));
        Assert.Equal(("Pod", TestClusters.Namespace, "demo-1", "uid-1"),
            (endpoint.TargetRef!.Kind, endpoint.TargetRef.Namespace, endpoint.TargetRef.Name, endpoint.TargetRef.Uid));
    }

    [Fact]
    public void Pods_without_an_IP_are_left_out()
    {
        var ring = Build([Member(0), Member(1) with { PodIp = null }, Member(2) with { PodIp = "" }]);

        Assert.Equal(["demo-0"], ring.Slice.Endpoints.Select(e => e.Hostname));
    }

    [Fact]
    public void Slice_belongs_to_the_ring_service_and_is_marked_as_ours()
    {
        var slice = Build(Healthy(1)).Slice;

        Assert.Equal("demo-ring", slice.Metadata.Name);
        Assert.Equal("demo-ring", slice.Metadata.Labels![LabelKeys.EndpointSliceServiceName]);
        Assert.Equal("datacluster-operator.datacluster.dev", slice.Metadata.Labels[LabelKeys.EndpointSliceManagedBy]);
        Assert.Equal([("http", 8080, "TCP"), ("peer", 7070, "TCP")], slice.Ports!.Select(p => (p.Name, p.Port!.Value, p.Protocol)));
    }

    [Theory]
    [InlineData("10.0.0.1", "IPv4")]
    [InlineData("fd00::10", "IPv6")]
    public void Address_type_follows_the_pod_IP_family(string ip, string expected)
    {
        var ring = Build([Member(0, ip: ip)]);

        Assert.Equal(expected, ring.Slice.AddressType);
        Assert.Equal([ip], ring.Slice.Endpoints.Single().Addresses);
    }

    [Fact]
    public void An_empty_ring_is_IPv4_until_a_member_has_an_IP()
    {
        var ring = Build([]);

        Assert.Equal("IPv4", ring.Slice.AddressType);
        Assert.Empty(ring.Slice.Endpoints);
    }

    [Fact]
    public void Conditions_a_1_20_server_drops_do_not_count_as_a_change()
    {
        var published = Build([Member(0), Member(1, draining: true)]);
        foreach (var endpoint in published.Slice.Endpoints)
        {
            endpoint.Conditions!.Serving = null;
            endpoint.Conditions.Terminating = null;
        }

        var again = Build([Member(0), Member(1, draining: true)], published.Slice, published.Epoch);

        Assert.False(again.MembershipChanged);
        Assert.Equal(published.Epoch, again.Epoch);
    }

    [Fact]
    public void Draining_read_back_from_the_annotation_still_detects_a_finished_drain()
    {
        var published = Build([Member(0), Member(1, draining: true)]);
        foreach (var endpoint in published.Slice.Endpoints)
        {
            endpoint.Conditions!.Terminating = null;
        }

        var again = Build([Member(0), Member(1)], published.Slice, published.Epoch);

        Assert.True(again.MembershipChanged);
    }

    [Fact]
    public void Next_lease_expiry_is_the_earliest_expiry_of_a_live_member()
    {
        var ring = Build(
            [Member(0, renewed: T0.AddSeconds(2)), Member(1, renewed: T0.AddSeconds(1)), Member(2, podReady: false, renewed: T0)],
            now: T0.AddSeconds(3));

        Assert.Equal(T0.AddSeconds(7), ring.NextLeaseExpiry);
        Assert.Null(Build(Healthy(2), now: T0.AddSeconds(60)).NextLeaseExpiry);
    }

    [Fact]
    public void Lease_duration_falls_back_to_the_spec_when_the_lease_has_none()
    {
        var member = Member(0) with { LeaseDurationSeconds = null };
        var cluster = TestClusters.Create(spec => spec.Agent.LeaseDurationSeconds = 30);

        var ring = RingEndpointSliceBuilder.Build(Defaults.Apply(cluster), [member], null, 0, T0.AddSeconds(20));

        Assert.True(ring.Slice.Endpoints.Single().Conditions!.Ready);
    }

    [Fact]
    public void The_members_region_is_published_in_deprecatedTopology_and_a_new_region_is_a_membership_change()
    {
        var before = Build([Member(0) with { Region = "eu-1" }, Member(1)]);

        Assert.Equal("eu-1", before.Slice.Endpoints[0].DeprecatedTopology![RingEndpointSliceBuilder.RegionKey]);
        Assert.Null(before.Slice.Endpoints[1].DeprecatedTopology);

        var moved = Build([Member(0) with { Region = "eu-2" }, Member(1)], before.Slice, before.Epoch);
        Assert.True(moved.MembershipChanged);
    }

    [Fact]
    public void On_a_server_that_drops_deprecatedTopology_its_absence_is_no_membership_change()
    {
        var published = Build([Member(0) with { Region = "eu-1" }]);
        published.Slice.Endpoints[0].DeprecatedTopology = null; // as discovery.k8s.io/v1 stores it

        var again = RingEndpointSliceBuilder.Build(Defaults.Apply(TestClusters.Create()), [Member(0) with { Region = "eu-1" }], published.Slice, published.Epoch, T0.AddSeconds(1), serverKeepsTopology: false);

        Assert.False(again.MembershipChanged);
        Assert.Equal(published.Epoch, again.Epoch);
    }

    [Fact]
    public void Regions_are_also_annotated_so_they_survive_a_server_that_drops_deprecatedTopology()
    {
        var published = Build([Member(0) with { Region = "eu-1" }, Member(1), Member(2) with { Region = "eu-2" }]);
        Assert.Equal("demo-0=eu-1,demo-2=eu-2", published.Slice.Metadata.Annotations![AnnotationKeys.MemberRegions]);

        // As a discovery.k8s.io/v1 server stores it: the topology map is gone, the annotation stays.
        foreach (var endpoint in published.Slice.Endpoints)
        {
            endpoint.DeprecatedTopology = null;
        }

        var moved = RingEndpointSliceBuilder.Build(Defaults.Apply(TestClusters.Create()), [Member(0) with { Region = "eu-3" }, Member(1), Member(2) with { Region = "eu-2" }], published.Slice, published.Epoch, T0.AddSeconds(1), serverKeepsTopology: false);
        var same = RingEndpointSliceBuilder.Build(Defaults.Apply(TestClusters.Create()), [Member(0) with { Region = "eu-1" }, Member(1), Member(2) with { Region = "eu-2" }], published.Slice, published.Epoch, T0.AddSeconds(1), serverKeepsTopology: false);

        Assert.True(moved.MembershipChanged);
        Assert.False(same.MembershipChanged);
    }
}
