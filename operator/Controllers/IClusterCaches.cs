using DataCluster.Kube;
using DataCluster.Kube.Informers;
using DataCluster.Kube.Models;

namespace DataCluster.Operator.Controllers;

/// <summary>
/// Everything the reconciler reads without asking the API server: one cache reader per kind
/// (DataClusters, the kinds they own, member pods, volume claims, Leases, Nodes), and the
/// versions discovery resolved for the two kinds that servers serve in more than one version.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe, non-blocking, no I/O: every reader keeps the <see cref="IKubeCacheReader{T}"/>
/// contract (results may lag the server; returned objects are shared, so read-only).
/// </para>
/// <para>
/// No ordering holds between readers: one kind may show a change that another, related kind does
/// not show yet (a pod before the StatefulSet that made it). Owned kinds hold only objects
/// labelled <c>app.kubernetes.io/managed-by=datacluster-operator</c> and volume claims only those
/// with a <c>datacluster.dev/cluster</c> label, so an object a reader misses may still exist.
/// </para>
/// </remarks>
public interface IClusterCaches
{
    IKubeCacheReader<Api.DataCluster> DataClusters { get; }

    IKubeCacheReader<StatefulSet> StatefulSets { get; }

    IKubeCacheReader<Service> Services { get; }

    IKubeCacheReader<EndpointSlice> EndpointSlices { get; }

    IKubeCacheReader<PodDisruptionBudget> DisruptionBudgets { get; }

    IKubeCacheReader<ServiceAccount> ServiceAccounts { get; }

    IKubeCacheReader<Role> Roles { get; }

    IKubeCacheReader<RoleBinding> RoleBindings { get; }

    IKubeCacheReader<Secret> Secrets { get; }

    IKubeCacheReader<ConfigMap> ConfigMaps { get; }

    IKubeCacheReader<Lease> Leases { get; }

    IKubeCacheReader<Pod> Pods { get; }

    IKubeCacheReader<PersistentVolumeClaim> VolumeClaims { get; }

    IKubeCacheReader<Node> Nodes { get; }

    /// <summary>EndpointSlices in the version the server serves (v1, or v1beta1 on 1.20): how the ring slice is written.</summary>
    ResourceType<EndpointSlice> EndpointSliceType { get; }

    /// <summary>PodDisruptionBudgets in the version the server serves: how the budget is written.</summary>
    ResourceType<PodDisruptionBudget> DisruptionBudgetType { get; }
}
