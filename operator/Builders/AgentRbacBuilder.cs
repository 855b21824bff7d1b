using DataCluster.Contracts;
using DataCluster.Kube.Models;

using DataCluster.Operator.Api;

namespace DataCluster.Operator.Builders;

/// <summary>
/// The agents' identity: ServiceAccount, Role and RoleBinding, all named NAME-agent. The Role
/// grants exactly what an agent does (DESIGN section 4) and, wherever RBAC can express it, only
/// on the cluster's own objects.
/// </summary>
/// <remarks>
/// <para>
/// RBAC restricts list and watch by resourceNames only for requests that select a single object
/// with the field selector <c>metadata.name=NAME</c>. Agents must therefore list and watch the
/// ring EndpointSlice and the assignment ConfigMap that way; a plain list of all EndpointSlices or
/// ConfigMaps of the namespace is denied.
/// </para>
/// <para>
/// Not granted: create (the operator pre-creates every Lease and the ConfigMap), delete, Secrets
/// (the token is mounted), Pods (the downward API gives an agent its own pod's facts) and Nodes
/// (zones come with the ring EndpointSlice).
/// </para>
/// </remarks>
public static class AgentRbacBuilder
{
    private const string Coordination = "coordination.k8s.io";
    private const string Discovery = "discovery.k8s.io";
    private const string Core = "";

    /// <summary>The ServiceAccount the member pods run as.</summary>
    public static ServiceAccount ServiceAccount(DefaultedCluster cluster) => new()
    {
        Metadata = Owner.Metadata(cluster, ObjectNames.AgentServiceAccount(Owner.ClusterName(cluster)), Components.Agent),
    };

    /// <summary>
    /// The Role. Lease names depend on the member count, so the reconciler rebuilds it whenever
    /// <paramref name="memberLeases"/> changes (see <see cref="LeaseBuilder.MemberCount"/>).
    /// </summary>
    /// <param name="cluster">The owning DataCluster.</param>
    /// <param name="memberLeases">How many member Leases exist: ordinals 0 to memberLeases - 1.</param>
    public static Role Role(DefaultedCluster cluster, int memberLeases)
    {
        var name = Owner.ClusterName(cluster);
        var leases = Enumerable.Range(0, Math.Max(memberLeases, 0)).Select(i => ObjectNames.MemberLease(name, i))
            .Append(ObjectNames.LeaderLease(name))
            .ToList();

        return new Role
        {
            Metadata = Owner.Metadata(cluster, ObjectNames.AgentRole(name), Components.Agent),
            Rules =
            [
                // Each agent renews its own member Lease and every agent campaigns for, or renews,
                // the leader Lease (client-go style: read, then update with the resourceVersion).
                // One ServiceAccount serves all members, so an agent cannot be limited to its own
                // Lease; it is limited to this cluster's Leases.
                Rule(Coordination, "leases", ["get", "update"], leases),
                // The leader agent watches every member Lease, and all agents watch the leader
                // Lease. A set of names cannot restrict list/watch (only a single-name field
                // selector can), so this covers the namespace's Leases: read-only, and a Lease
                // holds nothing but a holder name and timestamps.
                Rule(Coordination, "leases", ["list", "watch"], null),
                // Every agent follows ring membership on the operator's EndpointSlice; read-only.
                Rule(Discovery, "endpointslices", ["get", "list", "watch"], [ObjectNames.RingEndpointSlice(name)]),
                // Every agent follows the assignment; the leader agent writes it. Writing cannot be
                // limited to whichever agent leads, so every agent may update this one ConfigMap.
                Rule(Core, "configmaps", ["get", "list", "watch", "update"], [ObjectNames.AssignmentConfigMap(name)]),
                // Agents report notable transitions (leadership gained, partitions moved) as Events.
                // Event names are generated, and create cannot be limited by name anyway.
                Rule(Core, "events", ["create", "patch"], null),
            ],
        };
    }

    /// <summary>Grants the Role to the ServiceAccount.</summary>
    public static RoleBinding RoleBinding(DefaultedCluster cluster)
    {
        var name = Owner.ClusterName(cluster);
        return new RoleBinding
        {
            Metadata = Owner.Metadata(cluster, ObjectNames.AgentRoleBinding(name), Components.Agent),
            Subjects =
            [
                new Subject { Kind = "ServiceAccount", Name = ObjectNames.AgentServiceAccount(name), Namespace = cluster.Metadata.Namespace },
            ],
            RoleRef = new RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = ObjectNames.AgentRole(name) },
        };
    }

    private static PolicyRule Rule(string group, string resource, List<string> verbs, List<string>? names) => new()
    {
        ApiGroups = [group],
        Resources = [resource],
        Verbs = verbs,
        ResourceNames = names,
    };
}
