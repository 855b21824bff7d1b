using DataCluster.Kube;
using DataCluster.Kube.Informers;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Controllers;

namespace DataCluster.Operator.Tests.InMemory;

/// <summary>
/// <see cref="IClusterCaches"/> over an <see cref="InMemoryStore"/>, with the informers' label
/// selectors of <see cref="ClusterCaches"/> and discovery's answer of a current server
/// (EndpointSlices and PodDisruptionBudgets in v1).
/// </summary>
internal sealed class InMemoryClusterCaches(InMemoryStore store) : IClusterCaches
{
    public IKubeCacheReader<Api.DataCluster> DataClusters { get; } = new InMemoryCache<Api.DataCluster>(store, DataClusterResource.Tolerant);

    public IKubeCacheReader<StatefulSet> StatefulSets { get; } = new InMemoryCache<StatefulSet>(store, KubeResources.StatefulSets, ClusterCaches.ManagedSelector);

    public IKubeCacheReader<Service> Services { get; } = new InMemoryCache<Service>(store, KubeResources.Services, ClusterCaches.ManagedSelector);

    public IKubeCacheReader<EndpointSlice> EndpointSlices { get; } = new InMemoryCache<EndpointSlice>(store, KubeResources.EndpointSlices, ClusterCaches.ManagedSelector);

    public IKubeCacheReader<PodDisruptionBudget> DisruptionBudgets { get; } = new InMemoryCache<PodDisruptionBudget>(store, KubeResources.PodDisruptionBudgets, ClusterCaches.ManagedSelector);

    public IKubeCacheReader<ServiceAccount> ServiceAccounts { get; } = new InMemoryCache<ServiceAccount>(store, KubeResources.ServiceAccounts, ClusterCaches.ManagedSelector);

    public IKubeCacheReader<Role> Roles { get; } = new InMemoryCache<Role>(store, KubeResources.Roles, ClusterCaches.ManagedSelector);

    public IKubeCacheReader<RoleBinding> RoleBindings { get; } = new InMemoryCache<RoleBinding>(store, KubeResources.RoleBindings, ClusterCaches.ManagedSelector);

    public IKubeCacheReader<Secret> Secrets { get; } = new InMemoryCache<Secret>(store, KubeResources.Secrets, ClusterCaches.ManagedSelector);

    public IKubeCacheReader<ConfigMap> ConfigMaps { get; } = new InMemoryCache<ConfigMap>(store, KubeResources.ConfigMaps, ClusterCaches.ManagedSelector);

    public IKubeCacheReader<Lease> Leases { get; } = new InMemoryCache<Lease>(store, KubeResources.Leases, ClusterCaches.ManagedSelector);

    public IKubeCacheReader<Pod> Pods { get; } = new InMemoryCache<Pod>(store, KubeResources.Pods, ClusterCaches.ManagedSelector);

    public IKubeCacheReader<PersistentVolumeClaim> VolumeClaims { get; } = new InMemoryCache<PersistentVolumeClaim>(store, KubeResources.PersistentVolumeClaims, ClusterCaches.ClusterSelector);

    public IKubeCacheReader<Node> Nodes { get; } = new InMemoryCache<Node>(store, KubeResources.Nodes);

    public ResourceType<EndpointSlice> EndpointSliceType => KubeResources.EndpointSlices;

    public ResourceType<PodDisruptionBudget> DisruptionBudgetType => KubeResources.PodDisruptionBudgets;
}
