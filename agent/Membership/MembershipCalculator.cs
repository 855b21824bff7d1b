using DataCluster.Contracts;
using DataCluster.Ring;

namespace DataCluster.Agent.Membership;

/// <summary>
/// The ring membership the cluster leader assigns partitions to: the ring EndpointSlice's
/// members whose member Lease is fresh and held by that member's pod. Pure apart from reading
/// the clock through <see cref="LeaseObservations"/>.
/// </summary>
/// <remarks>
/// The endpoint's <c>ready</c> condition is ignored on purpose: the operator derives it from pod
/// readiness, and an agent is ready only once it has an assignment, which needs membership
/// first. Counting <c>ready</c> would keep a new cluster from ever forming. Draining members
/// (terminating, or named in the draining annotation) stay members in state Draining, so they
/// keep serving reads while the assignment moves their replicas away. A member whose own agent
/// marked its Lease leaving (it is stopping) is draining too: the mark reaches the cluster leader
/// through the Lease watch it already runs, before the operator could mark the endpoint.
/// </remarks>
public static class MembershipCalculator
{
    /// <summary>The members, by ordinal.</summary>
    public static IReadOnlyList<Member> Compute(string cluster, RingSnapshot ring, LeaseObservations leases)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(leases);
        var members = new List<Member>(ring.Endpoints.Count);
        foreach (var endpoint in ring.Endpoints)
        {
            var lease = ObjectNames.MemberLease(cluster, endpoint.Ordinal);
            if (leases.IsFresh(lease, endpoint.Id))
            {
                members.Add(new Member(
                    endpoint.Id,
                    endpoint.Ordinal,
                    endpoint.Zone,
                    endpoint.Region,
                    endpoint.Draining || leases.IsLeaving(lease, endpoint.Id) ? MemberState.Draining : MemberState.Active));
            }
        }

        return members;
    }
}
