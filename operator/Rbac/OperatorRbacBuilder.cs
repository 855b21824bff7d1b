using DataCluster.Contracts;
using DataCluster.Kube.Models;

namespace DataCluster.Operator.Rbac;

/// <summary>
/// The operator's own permissions: a ClusterRole with exactly what it reads and writes, and a
/// binding of it to the operator's identity.
/// </summary>
/// <remarks>
/// <para>
/// RBAC refuses to create a Role that grants what its creator does not hold (unless the creator
/// has <c>escalate</c>), so the ClusterRole includes everything of the agent Role
/// (<see cref="Builders.AgentRbacBuilder"/>): that is why it may update ConfigMaps and Leases and
/// create Events although those are the agents' business. Holding them beats <c>escalate</c>,
/// which would let the operator grant anything at all.
/// </para>
/// <para>
/// Not granted: delete of anything but EndpointSlices (owned objects go with the DataCluster
/// through garbage collection; the ring slice is recreated when its immutable addressType must
/// change), and any write to Pods or Nodes. list/watch of Secrets cannot be narrowed by label in
/// RBAC; the operator's informer asks only for its own (managed-by) Secrets.
/// </para>
/// </remarks>
public static class OperatorRbacBuilder
{
    /// <summary>Name of the ClusterRole and of its ClusterRoleBinding.</summary>
    public const string Name = LabelKeys.OperatorName;

    private static readonly string[] Read = ["get", "list", "watch"];
    private static readonly string[] Write = ["create", "update", "patch"];

    /// <summary>The ClusterRole.</summary>
    public static ClusterRole ClusterRole() => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "ClusterRole",
        Metadata = new ObjectMeta { Name = Name, Labels = Labels() },
        Rules =
        [
            // The primary kind, its status, and finalizers: setting blockOwnerDeletion in owner
            // references needs update on the owner's finalizers where the
            // OwnerReferencesPermissionEnforcement admission plugin runs.
            Rule(DataClusterApi.Group, [DataClusterApi.Plural], Read),
            Rule(DataClusterApi.Group, [$"{DataClusterApi.Plural}/status"], ["get", "update", "patch"]),
            Rule(DataClusterApi.Group, [$"{DataClusterApi.Plural}/finalizers"], ["update"]),

            // Owned objects: read through informers, written by server-side apply (patch) or create.
            Rule("apps", ["statefulsets"], [.. Read, .. Write]),
            Rule("", ["services", "serviceaccounts", "secrets", "configmaps"], [.. Read, .. Write]),
            Rule("policy", ["poddisruptionbudgets"], [.. Read, .. Write]),
            Rule("rbac.authorization.k8s.io", ["roles", "rolebindings"], [.. Read, .. Write]),
            Rule("discovery.k8s.io", ["endpointslices"], [.. Read, .. Write, "delete"]),

            // Member and leader Leases of the clusters (created; update only because the agent
            // Role grants it), and the operator's own leader election.
            Rule("coordination.k8s.io", ["leases"], [.. Read, .. Write]),

            // Member pods and nodes are read: readiness, addresses, zones and regions. Pods are
            // created only as server-side dry runs, which need the create permission: a new pod
            // template is checked that way before the StatefulSet takes it.
            Rule("", ["pods"], [.. Read, "create"]),
            Rule("", ["nodes"], Read),

            // Volume claims get an owner reference so they go with their DataCluster.
            Rule("", ["persistentvolumeclaims"], [.. Read, "update", "patch"]),

            // Events; list finds an earlier replica's Events so a restart does not repeat them.
            Rule("", ["events"], ["list", "create", "patch"]),
        ],
    };

    /// <summary>Binds the ClusterRole to <paramref name="subject"/>.</summary>
    public static ClusterRoleBinding ClusterRoleBinding(Subject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return new ClusterRoleBinding
        {
            ApiVersion = "rbac.authorization.k8s.io/v1",
            Kind = "ClusterRoleBinding",
            Metadata = new ObjectMeta { Name = Name, Labels = Labels() },
            RoleRef = new RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = Name },
            Subjects = [subject],
        };
    }

    /// <summary>Binds the ClusterRole to the operator's ServiceAccount.</summary>
    public static ClusterRoleBinding ClusterRoleBinding(string serviceAccountNamespace, string serviceAccountName = Name) =>
        ClusterRoleBinding(new Subject { Kind = "ServiceAccount", Name = serviceAccountName, Namespace = serviceAccountNamespace });

    private static Dictionary<string, string> Labels() => new(StringComparer.Ordinal)
    {
        [LabelKeys.Name] = LabelKeys.OperatorName,
        [LabelKeys.PartOf] = LabelKeys.AppName,
    };

    private static PolicyRule Rule(string group, List<string> resources, string[] verbs) => new()
    {
        ApiGroups = [group],
        Resources = resources,
        Verbs = [.. verbs],
    };
}
