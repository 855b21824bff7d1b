using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Models;
using DataCluster.Kube.Watch;

namespace DataCluster.Operator.Hosting;

/// <summary>
/// An <see cref="IKubeClient"/> that counts every write it forwards in
/// <see cref="OperatorMetrics"/> (datacluster_operator_api_writes_total{verb,resource}), so a
/// steady state with zero writes is visible on /metrics. Counts attempts, failed ones included,
/// as the API server's audit log does. Thread-safe like the client it wraps.
/// </summary>
public sealed class CountingKubeClient(IKubeClient inner, OperatorMetrics metrics) : IKubeClient
{
    public string DefaultNamespace => inner.DefaultNamespace;

    public Task<T?> GetAsync<T>(ResourceType<T> type, string? @namespace, string name, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => inner.GetAsync(type, @namespace, name, cancellationToken);

    public Task<KubeList<T>> ListAsync<T>(ResourceType<T> type, string? @namespace, ListOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => inner.ListAsync(type, @namespace, options, cancellationToken);

    public IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(ResourceType<T> type, string? @namespace, WatchOptions options, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => inner.WatchAsync(type, @namespace, options, cancellationToken);

    public Task<TResult> GetPathAsync<TResult>(string path, JsonTypeInfo<TResult> resultType, CancellationToken cancellationToken = default) =>
        inner.GetPathAsync(path, resultType, cancellationToken);

    public Task<T> CreateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => Count("create", type.Plural, () => inner.CreateAsync(type, obj, cancellationToken));

    /// <summary>Not counted: a dry run changes nothing on the server.</summary>
    public Task<T> DryRunCreateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => inner.DryRunCreateAsync(type, obj, cancellationToken);

    public Task<T> UpdateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => Count("update", type.Plural, () => inner.UpdateAsync(type, obj, cancellationToken));

    public Task DeleteAsync<T>(ResourceType<T> type, string? @namespace, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => Count("delete", type.Plural, () => inner.DeleteAsync(type, @namespace, name, options, cancellationToken));

    public Task<T> MergePatchAsync<T>(ResourceType<T> type, string? @namespace, string name, JsonNode patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => Count("patch", type.Plural, () => inner.MergePatchAsync(type, @namespace, name, patch, cancellationToken));

    public Task<T> MergePatchAsync<T>(ResourceType<T> type, string? @namespace, string name, ReadOnlyMemory<byte> patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => Count("patch", type.Plural, () => inner.MergePatchAsync(type, @namespace, name, patch, cancellationToken));

    public Task<T> ApplyAsync<T>(ResourceType<T> type, T obj, ApplyOptions options, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => Count("apply", type.Plural, () => inner.ApplyAsync(type, obj, options, cancellationToken));

    public Task PostSubresourceAsync<T, TBody>(ResourceType<T> type, string? @namespace, string name, string subresource, TBody body, JsonTypeInfo<TBody> bodyType, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => Count("create", $"{type.Plural}/{subresource}", () => inner.PostSubresourceAsync(type, @namespace, name, subresource, body, bodyType, cancellationToken));

    public Task<T> UpdateStatusAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => Count("update", $"{type.Plural}/status", () => inner.UpdateStatusAsync(type, obj, cancellationToken));

    public Task<T> MergePatchStatusAsync<T>(ResourceType<T> type, string? @namespace, string name, JsonNode patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => Count("patch", $"{type.Plural}/status", () => inner.MergePatchStatusAsync(type, @namespace, name, patch, cancellationToken));

    public Task<T> ApplyStatusAsync<T>(ResourceType<T> type, T obj, ApplyOptions options, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => Count("apply", $"{type.Plural}/status", () => inner.ApplyStatusAsync(type, obj, options, cancellationToken));

    private Task<TResult> Count<TResult>(string verb, string resource, Func<Task<TResult>> write)
    {
        metrics.CountWrite(verb, resource);
        return write();
    }

    private Task Count(string verb, string resource, Func<Task> write)
    {
        metrics.CountWrite(verb, resource);
        return write();
    }
}
