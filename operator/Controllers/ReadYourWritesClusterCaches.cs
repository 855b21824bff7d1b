using DataCluster.Kube;
using DataCluster.Kube.Informers;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;

namespace DataCluster.Operator.Controllers;

/// <summary>
/// <see cref="IClusterCaches"/> with read-your-writes on every kind: each reader is a
/// <see cref="ReadYourWritesCache{T}"/> over the same <see cref="WrittenObjects"/> that the
/// reconciler's <see cref="RecordingKubeWriter"/> records into. Same contract as the caches it
/// wraps.
/// </summary>
public sealed class ReadYourWritesClusterCaches : IClusterCaches
{
    /// <param name="caches">The informer caches.</param>
    /// <param name="written">What this process wrote.</param>
    public ReadYourWritesClusterCaches(IClusterCaches caches, WrittenObjects written)
    {
        ArgumentNullException.ThrowIfNull(caches);
        ArgumentNullException.ThrowIfNull(written);
        IKubeCacheReader<T> Over<T>(IKubeCacheReader<T> cache, ResourceType<T> type)
            where T : class, IKubernetesObject => new ReadYourWritesCache<T>(cache, type, written);

        EndpointSliceType = caches.EndpointSliceType;
        DisruptionBudgetType = caches.DisruptionBudgetType;
        DataClusters = Over(caches.DataClusters, DataClusterResource.Tolerant);
        StatefulSets = Over(caches.StatefulSets, KubeResources.StatefulSets);
        Services = Over(caches.Services, KubeResources.Services);
        EndpointSlices = Over(caches.EndpointSlices, EndpointSliceType);
        DisruptionBudgets = Over(caches.DisruptionBudgets, DisruptionBudgetType);
        ServiceAccounts = Over(caches.ServiceAccounts, KubeResources.ServiceAccounts);
        Roles = Over(caches.Roles, KubeResources.Roles);
        RoleBindings = Over(caches.RoleBindings, KubeResources.RoleBindings);
        Secrets = Over(caches.Secrets, KubeResources.Secrets);
        ConfigMaps = Over(caches.ConfigMaps, KubeResources.ConfigMaps);
        Leases = Over(caches.Leases, KubeResources.Leases);
        Pods = Over(caches.Pods, KubeResources.Pods);
        VolumeClaims = Over(caches.VolumeClaims, KubeResources.PersistentVolumeClaims);
        Nodes = Over(caches.Nodes, KubeResources.Nodes);
    }

    public IKubeCacheReader<Api.DataCluster> DataClusters { get; }

    public IKubeCacheReader<StatefulSet> StatefulSets { get; }

    public IKubeCacheReader<Service> Services { get; }

    public IKubeCacheReader<EndpointSlice> EndpointSlices { get; }

    public IKubeCacheReader<PodDisruptionBudget> DisruptionBudgets { get; }

    public IKubeCacheReader<ServiceAccount> ServiceAccounts { get; }

    public IKubeCacheReader<Role> Roles { get; }

    public IKubeCacheReader<RoleBinding> RoleBindings { get; }

    public IKubeCacheReader<Secret> Secrets { get; }

    public IKubeCacheReader<ConfigMap> ConfigMaps { get; }

    public IKubeCacheReader<Lease> Leases { get; }

    public IKubeCacheReader<Pod> Pods { get; }

    public IKubeCacheReader<PersistentVolumeClaim> VolumeClaims { get; }

    public IKubeCacheReader<Node> Nodes { get; }

    public ResourceType<EndpointSlice> EndpointSliceType { get; }

    public ResourceType<PodDisruptionBudget> DisruptionBudgetType { get; }
}
