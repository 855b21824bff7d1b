using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Controllers;
using DataCluster.Kube.Informers;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using Microsoft.Extensions.Logging;

namespace DataCluster.Operator.Controllers;

/// <summary>
/// The informer caches the reconciler reads: DataClusters, everything they own, their pods,
/// volume claims and Leases, and all Nodes (for zone and region labels). Owned objects are cached
/// only when labelled managed-by=datacluster-operator (volume claims: datacluster.dev/cluster),
/// so the operator never holds every Secret or ConfigMap of the cluster in memory.
/// </summary>
/// <remarks>
/// One informer per kind and watched namespace (<see cref="InformerSet{T}"/>); reads are
/// thread-safe. The reconciler reads through <see cref="IClusterCaches"/>; the informer sets are
/// public for what needs more than reads (controller sources, the Lease observer).
/// </remarks>
public sealed class ClusterCaches : IClusterCaches
{
    /// <summary>Selects the objects the operator creates, and the member pods (their template carries the same labels).</summary>
    public const string ManagedSelector = LabelKeys.ManagedBy + "=" + LabelKeys.OperatorName;

    /// <summary>Selects the volume claims of members: a StatefulSet copies the claim template's labels, which carry the cluster name.</summary>
    public const string ClusterSelector = LabelKeys.Cluster;

    /// <param name="client">The client the informers use.</param>
    /// <param name="endpointSlices">EndpointSlices as discovery resolved them (v1 or v1beta1).</param>
    /// <param name="disruptionBudgets">PodDisruptionBudgets as discovery resolved them.</param>
    /// <param name="namespaces">Watched namespaces; empty = all.</param>
    /// <param name="loggerFactory">For the informers' logs.</param>
    public ClusterCaches(IKubeClient client, ResourceType<EndpointSlice> endpointSlices, ResourceType<PodDisruptionBudget> disruptionBudgets, IReadOnlyCollection<string> namespaces, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger("DataCluster.Kube.Informers");
        var managed = new InformerOptions { LabelSelector = ManagedSelector };
        InformerSet<T> Set<T>(ResourceType<T> type, InformerOptions? options = null)
            where T : class, IKubernetesObject => new(client, type, namespaces, options, logger);

        DataClusters = Set(DataClusterResource.Tolerant);
        StatefulSets = Set(KubeResources.StatefulSets, managed);
        Services = Set(KubeResources.Services, managed);
        EndpointSlices = Set(endpointSlices, managed);
        DisruptionBudgets = Set(disruptionBudgets, managed);
        ServiceAccounts = Set(KubeResources.ServiceAccounts, managed);
        Roles = Set(KubeResources.Roles, managed);
        RoleBindings = Set(KubeResources.RoleBindings, managed);
        Secrets = Set(KubeResources.Secrets, managed);
        ConfigMaps = Set(KubeResources.ConfigMaps, managed);
        Leases = Set(KubeResources.Leases, managed);
        Pods = Set(KubeResources.Pods, managed);
        VolumeClaims = Set(KubeResources.PersistentVolumeClaims, new InformerOptions { LabelSelector = ClusterSelector });
        Nodes = Set(KubeResources.Nodes);
    }

    public InformerSet<Api.DataCluster> DataClusters { get; }

    public InformerSet<StatefulSet> StatefulSets { get; }

    public InformerSet<Service> Services { get; }

    public InformerSet<EndpointSlice> EndpointSlices { get; }

    public InformerSet<PodDisruptionBudget> DisruptionBudgets { get; }

    public InformerSet<ServiceAccount> ServiceAccounts { get; }

    public InformerSet<Role> Roles { get; }

    public InformerSet<RoleBinding> RoleBindings { get; }

    public InformerSet<Secret> Secrets { get; }

    public InformerSet<ConfigMap> ConfigMaps { get; }

    public InformerSet<Lease> Leases { get; }

    public InformerSet<Pod> Pods { get; }

    public InformerSet<PersistentVolumeClaim> VolumeClaims { get; }

    public InformerSet<Node> Nodes { get; }

    /// <inheritdoc />
    public ResourceType<EndpointSlice> EndpointSliceType => EndpointSlices.Type;

    /// <inheritdoc />
    public ResourceType<PodDisruptionBudget> DisruptionBudgetType => DisruptionBudgets.Type;

    IKubeCacheReader<Api.DataCluster> IClusterCaches.DataClusters => DataClusters;

    IKubeCacheReader<StatefulSet> IClusterCaches.StatefulSets => StatefulSets;

    IKubeCacheReader<Service> IClusterCaches.Services => Services;

    IKubeCacheReader<EndpointSlice> IClusterCaches.EndpointSlices => EndpointSlices;

    IKubeCacheReader<PodDisruptionBudget> IClusterCaches.DisruptionBudgets => DisruptionBudgets;

    IKubeCacheReader<ServiceAccount> IClusterCaches.ServiceAccounts => ServiceAccounts;

    IKubeCacheReader<Role> IClusterCaches.Roles => Roles;

    IKubeCacheReader<RoleBinding> IClusterCaches.RoleBindings => RoleBindings;

    IKubeCacheReader<Secret> IClusterCaches.Secrets => Secrets;

    IKubeCacheReader<ConfigMap> IClusterCaches.ConfigMaps => ConfigMaps;

    IKubeCacheReader<Lease> IClusterCaches.Leases => Leases;

    IKubeCacheReader<Pod> IClusterCaches.Pods => Pods;

    IKubeCacheReader<PersistentVolumeClaim> IClusterCaches.VolumeClaims => VolumeClaims;

    IKubeCacheReader<Node> IClusterCaches.Nodes => Nodes;

    /// <summary>True once every informer has synced.</summary>
    public bool HasSynced => All.All(run => run.Synced());

    private IEnumerable<(Func<CancellationToken, Task> Run, Func<CancellationToken, Task> Wait, Func<bool> Synced)> All =>
    [
        (DataClusters.RunAsync, DataClusters.WaitForSyncAsync, () => DataClusters.HasSynced),
        (StatefulSets.RunAsync, StatefulSets.WaitForSyncAsync, () => StatefulSets.HasSynced),
        (Services.RunAsync, Services.WaitForSyncAsync, () => Services.HasSynced),
        (EndpointSlices.RunAsync, EndpointSlices.WaitForSyncAsync, () => EndpointSlices.HasSynced),
        (DisruptionBudgets.RunAsync, DisruptionBudgets.WaitForSyncAsync, () => DisruptionBudgets.HasSynced),
        (ServiceAccounts.RunAsync, ServiceAccounts.WaitForSyncAsync, () => ServiceAccounts.HasSynced),
        (Roles.RunAsync, Roles.WaitForSyncAsync, () => Roles.HasSynced),
        (RoleBindings.RunAsync, RoleBindings.WaitForSyncAsync, () => RoleBindings.HasSynced),
        (Secrets.RunAsync, Secrets.WaitForSyncAsync, () => Secrets.HasSynced),
        (ConfigMaps.RunAsync, ConfigMaps.WaitForSyncAsync, () => ConfigMaps.HasSynced),
        (Leases.RunAsync, Leases.WaitForSyncAsync, () => Leases.HasSynced),
        (Pods.RunAsync, Pods.WaitForSyncAsync, () => Pods.HasSynced),
        (VolumeClaims.RunAsync, VolumeClaims.WaitForSyncAsync, () => VolumeClaims.HasSynced),
        (Nodes.RunAsync, Nodes.WaitForSyncAsync, () => Nodes.HasSynced),
    ];

    /// <summary>Runs every informer until cancelled. Add handlers (controller sources) first.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(All.Select(i => i.Run(cancellationToken)));

    /// <summary>Completes once every informer has synced.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken) => Task.WhenAll(All.Select(i => i.Wait(cancellationToken)));
}
