using DataCluster.Contracts;
using DataCluster.Kube.Controllers;
using DataCluster.Kube.Models;

namespace DataCluster.Operator.Controllers;

/// <summary>Which changes make the controller look at which DataCluster.</summary>
public static class DataClusterSources
{
    /// <summary>The controller's name in logs and metrics.</summary>
    public const string ControllerName = "datacluster";

    /// <summary>
    /// Wires <paramref name="caches"/> to <paramref name="controller"/>: the DataClusters
    /// themselves; every owned kind through its controller owner reference; pods and volume claims
    /// through their datacluster.dev/cluster label (the StatefulSet, not the DataCluster, owns
    /// them); and a Node whose labels change to every cluster with a member on it (zones and
    /// regions come from Node labels; heartbeats and other status updates are ignored).
    /// </summary>
    public static void Register(Controller controller, ClusterCaches caches)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(caches);
        const string group = DataClusterApi.Group;
        const string kind = DataClusterApi.Kind;
        controller
            .For(caches.DataClusters)
            .Owns(caches.StatefulSets, group, kind)
            .Owns(caches.Services, group, kind)
            .Owns(caches.EndpointSlices, group, kind)
            .Owns(caches.DisruptionBudgets, group, kind)
            .Owns(caches.ServiceAccounts, group, kind)
            .Owns(caches.Roles, group, kind)
            .Owns(caches.RoleBindings, group, kind)
            .Owns(caches.Secrets, group, kind)
            .Owns(caches.ConfigMaps, group, kind)
            .Owns(caches.Leases, group, kind)
            .Watches(caches.Pods, ByClusterLabel)
            .Watches(caches.VolumeClaims, ByClusterLabel)
            .Watches(caches.Nodes, node => ClustersOn(caches, node), (old, updated) => !SameLabels(old, updated));
    }

    /// <summary>The cluster named by the object's datacluster.dev/cluster label, in its namespace.</summary>
    public static IEnumerable<ReconcileRequest> ByClusterLabel(IKubernetesObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return obj.Metadata.Labels?.TryGetValue(LabelKeys.Cluster, out var cluster) == true && cluster.Length > 0
            ? [new ReconcileRequest(obj.Metadata.Namespace ?? "", cluster)]
            : [];
    }

    /// <summary>Every cluster with a member pod on <paramref name="node"/>, from the pod cache.</summary>
    public static IEnumerable<ReconcileRequest> ClustersOn(ClusterCaches caches, Node node)
    {
        ArgumentNullException.ThrowIfNull(caches);
        ArgumentNullException.ThrowIfNull(node);
        return caches.Pods.List()
            .Where(p => p.Spec.NodeName == node.Metadata.Name)
            .SelectMany(ByClusterLabel)
            .Distinct();
    }

    private static bool SameLabels(Node a, Node b)
    {
        var left = a.Metadata.Labels ?? [];
        var right = b.Metadata.Labels ?? [];
        return left.Count == right.Count && left.All(p => right.TryGetValue(p.Key, out var v) && v == p.Value);
    }
}
