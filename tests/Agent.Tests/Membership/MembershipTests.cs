using DataCluster.Agent.Membership;
using DataCluster.Contracts;
using DataCluster.Ring;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using static DataCluster.Agent.Tests.Support.Objects;

namespace DataCluster.Agent.Tests.Membership;

public sealed class MembershipTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(6);

    private readonly FakeTimeProvider _time = new();

    private LeaseObservations Leases(params int[] renewedNow)
    {
        var leases = new LeaseObservations(_time, Duration);
        foreach (var ordinal in renewedNow)
        {
            leases.Observe(MemberLease(ordinal, $"dc-{ordinal}", _time.GetUtcNow()));
        }

        return leases;
    }

    private static string[] Ids(IEnumerable<Member> members) => [.. members.Select(m => m.Id)];

    [Fact]
    public void Members_are_the_ring_endpoints_whose_pods_hold_a_fresh_Lease()
    {
        var ring = RingSnapshot.From(RingSlice(4, [0, 1, 2, 3]), Cluster);
        // dc-3 has an endpoint but no Lease; dc-5 has a Lease but no endpoint.
        var leases = Leases(0, 1, 2, 5);

        var members = MembershipCalculator.Compute(Cluster, ring, leases);

        Assert.Equal(["dc-0", "dc-1", "dc-2"], Ids(members));
        Assert.All(members, m => Assert.Equal(MemberState.Active, m.State));
        Assert.Equal(new Member("dc-1", 1, "zone-1", "", MemberState.Active), members[1]);
    }

    [Fact]
    public void A_Lease_goes_stale_a_lease_duration_after_its_renewal_was_last_seen_by_the_local_clock()
    {
        var ring = RingSnapshot.From(RingSlice(1, [0, 1]), Cluster);
        var leases = Leases(0, 1);

        _time.Advance(TimeSpan.FromSeconds(2));
        // dc-0 renews (a new renewTime is seen now); dc-1 does not.
        leases.Observe(MemberLease(0, "dc-0", _time.GetUtcNow()));
        Assert.Equal(TimeSpan.FromSeconds(4), leases.UntilNextExpiry());

        _time.Advance(TimeSpan.FromSeconds(4) - TimeSpan.FromTicks(1));
        Assert.Equal(["dc-0", "dc-1"], Ids(MembershipCalculator.Compute(Cluster, ring, leases)));

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(["dc-0"], Ids(MembershipCalculator.Compute(Cluster, ring, leases)));
        Assert.Equal(TimeSpan.FromSeconds(2), leases.UntilNextExpiry());
    }

    [Fact]
    public void Renewal_times_are_judged_by_when_they_changed_here_not_by_the_remote_clock()
    {
        var ring = RingSnapshot.From(RingSlice(1, [0]), Cluster);
        var leases = new LeaseObservations(_time, Duration);
        // The member's clock runs 3 s behind ours: its renewTime looks 3 s old when we see it.
        var skew = TimeSpan.FromSeconds(3);
        leases.Observe(MemberLease(0, "dc-0", _time.GetUtcNow() - skew));
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            Assert.True(leases.Observe(MemberLease(0, "dc-0", _time.GetUtcNow() - skew)) is false, "a routine renewal changes nothing");
            Assert.Equal(["dc-0"], Ids(MembershipCalculator.Compute(Cluster, ring, leases)));
        }

        // Once renewals stop, the Lease lasts a full duration from the last one seen here.
        _time.Advance(Duration - TimeSpan.FromTicks(1));
        Assert.Single(MembershipCalculator.Compute(Cluster, ring, leases));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Empty(MembershipCalculator.Compute(Cluster, ring, leases));
    }

    [Fact]
    public void On_first_sight_a_Lease_renewed_long_ago_is_stale_at_once_and_a_recent_one_keeps_only_its_remaining_time()
    {
        var ring = RingSnapshot.From(RingSlice(1, [0, 1, 2]), Cluster);
        var leases = new LeaseObservations(_time, Duration);
        leases.Observe(MemberLease(0, "dc-0", _time.GetUtcNow() - TimeSpan.FromHours(1)));
        leases.Observe(MemberLease(1, "dc-1", _time.GetUtcNow() - TimeSpan.FromSeconds(4)));
        leases.Observe(MemberLease(2, "dc-2", null));

        Assert.Equal(["dc-1"], Ids(MembershipCalculator.Compute(Cluster, ring, leases)));
        Assert.Equal(TimeSpan.FromSeconds(2), leases.UntilNextExpiry());

        // A stale Lease that is renewed again becomes fresh, and that is worth a recomputation.
        Assert.True(leases.Observe(MemberLease(0, "dc-0", _time.GetUtcNow())));
        Assert.Equal(["dc-0", "dc-1"], Ids(MembershipCalculator.Compute(Cluster, ring, leases)));
    }

    [Fact]
    public void A_Lease_held_by_another_identity_or_released_does_not_make_its_member_live()
    {
        var ring = RingSnapshot.From(RingSlice(1, [0, 1]), Cluster);
        var leases = new LeaseObservations(_time, Duration);
        leases.Observe(MemberLease(0, "someone-else", _time.GetUtcNow()));
        leases.Observe(MemberLease(1, "", _time.GetUtcNow()));

        Assert.Empty(MembershipCalculator.Compute(Cluster, ring, leases));

        leases.Observe(MemberLease(1, "dc-1", _time.GetUtcNow()));
        leases.Forget("dc-member-1");
        Assert.Empty(MembershipCalculator.Compute(Cluster, ring, leases));
    }

    [Fact]
    public void Terminating_or_annotated_endpoints_are_draining_members_and_the_ready_condition_is_ignored()
    {
        var slice = RingSlice(7, [0, 1, 2, 3], (ordinal, endpoint) =>
        {
            endpoint.Conditions!.Ready = false; // not ready: pod readiness waits for an assignment
            if (ordinal == 1)
            {
                endpoint.Conditions.Terminating = true;
            }

            if (ordinal == 3)
            {
                endpoint.Conditions.Terminating = null; // a 1.20 server drops the condition
            }
        }, drainingAnnotation: "dc-3");
        var ring = RingSnapshot.From(slice, Cluster);

        var members = MembershipCalculator.Compute(Cluster, ring, Leases(0, 1, 2, 3));

        Assert.Equal(7, ring.MembershipEpoch);
        Assert.Equal(
            [MemberState.Active, MemberState.Draining, MemberState.Active, MemberState.Draining],
            members.Select(m => m.State));
    }

    [Fact]
    public void The_ring_reads_zone_region_address_and_ordinal_and_skips_endpoints_of_other_pods()
    {
        var slice = RingSlice(2, [1, 0], (ordinal, endpoint) =>
        {
            endpoint.DeprecatedTopology = new Dictionary<string, string> { [RingSnapshot.RegionKey] = "eu-west" };
            if (ordinal == 1)
            {
                endpoint.Addresses = ["fd00::1"];
            }
        });
        slice.Endpoints.Add(new Kube.Models.Endpoint { Addresses = ["10.9.9.9"], Hostname = "other-0" });
        slice.Endpoints.Add(new Kube.Models.Endpoint { Addresses = ["10.9.9.8"], Hostname = "dc-01" });

        var ring = RingSnapshot.From(slice, Cluster);

        Assert.Equal(["dc-0", "dc-1"], ring.Endpoints.Select(e => e.Id));
        Assert.Equal(new RingEndpoint("dc-0", 0, "10.0.0.10", 8080, "zone-0", "eu-west", false), ring.Endpoints[0]);
        Assert.Equal("10.0.0.10:8080", ring.Endpoints[0].ClientAuthority);
        Assert.Equal("[fd00::1]:8080", ring.Endpoints[1].ClientAuthority);
        Assert.Null(RingSnapshot.From(null, Cluster).MembershipEpoch);
    }

    [Fact]
    public void Regions_come_from_the_slice_annotation_before_the_topology_map()
    {
        var slice = RingSlice(3, [0, 1, 2], (ordinal, endpoint) =>
        {
            if (ordinal == 2)
            {
                endpoint.DeprecatedTopology = new Dictionary<string, string> { [RingSnapshot.RegionKey] = "from-topology" };
            }
        });
        slice.Metadata.Annotations![AnnotationKeys.MemberRegions] = "dc-0=eu-west,dc-1=eu-east";

        var ring = RingSnapshot.From(slice, Cluster);

        Assert.Equal(["eu-west", "eu-east", "from-topology"], ring.Endpoints.Select(e => e.Region));
    }

    [Fact]
    public void The_ring_lists_its_endpoints_as_members_with_zone_region_and_draining_state_for_choosing_stand_ins()
    {
        var slice = RingSlice(4, [0, 1, 2], (ordinal, endpoint) => endpoint.Conditions!.Terminating = ordinal == 2);
        slice.Metadata.Annotations![AnnotationKeys.MemberRegions] = "dc-0=eu-west,dc-1=eu-east";

        var ring = RingSnapshot.From(slice, Cluster);

        Assert.Equal(
            [
                new Member("dc-0", 0, "zone-0", "eu-west"),
                new Member("dc-1", 1, "zone-1", "eu-east"),
                new Member("dc-2", 2, "zone-2", "", MemberState.Draining),
            ],
            ring.Members);
        Assert.Empty(RingSnapshot.Empty.Members);
    }
}
