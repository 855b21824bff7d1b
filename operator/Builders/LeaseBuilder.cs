using DataCluster.Contracts;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;

namespace DataCluster.Operator.Builders;

/// <summary>
/// The member Leases NAME-member-&lt;ordinal&gt; and the leader Lease NAME-leader, pre-created by
/// the operator so they carry owner references and the agents need only get and update on them.
/// </summary>
/// <remarks>
/// These are initial objects: no holder and no renew time. Once a Lease exists it belongs to the
/// agents (holder, renewTime, leaseTransitions), so the reconciler only creates missing Leases
/// and never writes these over existing ones.
/// </remarks>
public static class LeaseBuilder
{
    /// <summary>
    /// How many member Leases must exist: one per ordinal that is or will be running, i.e.
    /// max(spec.replicas, current StatefulSet replicas), so a member being drained keeps its Lease.
    /// </summary>
    public static int MemberCount(DefaultedCluster cluster, int? statefulSetReplicas)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return Math.Max(Math.Max(cluster.Spec.Replicas, statefulSetReplicas ?? 0), 0);
    }

    /// <summary>The member Leases for ordinals 0 to <paramref name="count"/> - 1.</summary>
    public static IReadOnlyList<Lease> MemberLeases(DefaultedCluster cluster, int count) =>
        [.. Enumerable.Range(0, Math.Max(count, 0)).Select(ordinal => MemberLease(cluster, ordinal))];

    /// <summary>The heartbeat Lease of one member.</summary>
    public static Lease MemberLease(DefaultedCluster cluster, int ordinal)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ordinal);
        return Initial(cluster, ObjectNames.MemberLease(Owner.ClusterName(cluster), ordinal));
    }

    /// <summary>The Lease the agents elect the cluster leader with.</summary>
    public static Lease LeaderLease(DefaultedCluster cluster) =>
        Initial(cluster, ObjectNames.LeaderLease(Owner.ClusterName(cluster)));

    private static Lease Initial(DefaultedCluster cluster, string name)
    {
        return new Lease
        {
            Metadata = Owner.Metadata(cluster, name, Components.Ring),
            Spec = new LeaseSpec { LeaseDurationSeconds = cluster.Spec.Agent.LeaseDurationSeconds },
        };
    }
}
