using DataCluster.Kube.Client;
using DataCluster.Kube.Models;

namespace DataCluster.Kube.Election;

/// <summary>A coordination.k8s.io/v1 Lease on the API server.</summary>
public sealed class KubeLeaseStore(IKubeClient client, string @namespace, string name) : ILeaseStore
{
    public string Description => $"{@namespace}/{name}";

    public Task<Lease?> GetAsync(CancellationToken cancellationToken) =>
        client.GetAsync(KubeResources.Leases, @namespace, name, cancellationToken);

    public Task<Lease> CreateAsync(Lease lease, CancellationToken cancellationToken)
    {
        lease.Metadata.Namespace = @namespace;
        lease.Metadata.Name = name;
        return client.CreateAsync(KubeResources.Leases, lease, cancellationToken);
    }

    public Task<Lease> UpdateAsync(Lease lease, CancellationToken cancellationToken) =>
        client.UpdateAsync(KubeResources.Leases, lease, cancellationToken);
}
