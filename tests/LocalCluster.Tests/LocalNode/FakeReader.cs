using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Models;

namespace DataCluster.LocalCluster.Tests.LocalNode;

/// <summary>An in-memory <see cref="IKubeReader"/> for the Secrets, ConfigMaps, ServiceAccounts and claims a pod refers to.</summary>
internal sealed class FakeReader : IKubeReader
{
    private readonly Dictionary<(string Kind, string Namespace, string Name), object> _objects = [];

    public FakeReader Add(Secret secret) => Add("Secret", secret.Metadata, secret);

    public FakeReader Add(ConfigMap configMap) => Add("ConfigMap", configMap.Metadata, configMap);

    public FakeReader Add(ServiceAccount account) => Add("ServiceAccount", account.Metadata, account);

    public FakeReader Add(PersistentVolumeClaim claim) => Add("PersistentVolumeClaim", claim.Metadata, claim);

    public Task<T?> GetAsync<T>(ResourceType<T> type, string? @namespace, string name, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        Task.FromResult(_objects.GetValueOrDefault((type.Kind, @namespace ?? "", name)) as T);

    public Task<KubeList<T>> ListAsync<T>(ResourceType<T> type, string? @namespace, ListOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        throw new NotSupportedException("The local node reads single objects only.");

    private FakeReader Add(string kind, ObjectMeta meta, object obj)
    {
        _objects[(kind, meta.Namespace ?? "", meta.Name ?? "")] = obj;
        return this;
    }
}
