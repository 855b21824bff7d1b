using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Models;
using DataCluster.Kube.Watch;

namespace DataCluster.Testing.Fakes;

/// <summary>
/// A base for scripted clients in unit tests: every call throws <see cref="NotSupportedException"/>
/// until a test's fake overrides it, so a fake states only the calls it expects and an
/// unexpected call fails the test loudly.
/// </summary>
public abstract class UnsupportedKubeClient : IKubeClient
{
    public virtual string DefaultNamespace => "default";

    public virtual Task<T?> GetAsync<T>(ResourceType<T> type, string? @namespace, string name, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => throw Unsupported();

    public virtual Task<KubeList<T>> ListAsync<T>(ResourceType<T> type, string? @namespace, ListOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => throw Unsupported();

    public virtual IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(ResourceType<T> type, string? @namespace, WatchOptions options, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => throw Unsupported();

    public virtual Task<TResult> GetPathAsync<TResult>(string path, JsonTypeInfo<TResult> resultType, CancellationToken cancellationToken = default) =>
        throw Unsupported();

    public virtual Task<T> CreateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => throw Unsupported();

    public virtual Task<T> DryRunCreateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => throw Unsupported();

    public virtual Task<T> UpdateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => throw Unsupported();

    public virtual Task DeleteAsync<T>(ResourceType<T> type, string? @namespace, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => throw Unsupported();

    public virtual Task<T> MergePatchAsync<T>(ResourceType<T> type, string? @namespace, string name, JsonNode patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => throw Unsupported();

    public virtual Task<T> MergePatchAsync<T>(ResourceType<T> type, string? @namespace, string name, ReadOnlyMemory<byte> patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => throw Unsupported();

    public virtual Task<T> ApplyAsync<T>(ResourceType<T> type, T obj, ApplyOptions options, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => throw Unsupported();

    public virtual Task PostSubresourceAsync<T, TBody>(ResourceType<T> type, string? @namespace, string name, string subresource, TBody body, JsonTypeInfo<TBody> bodyType, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => throw Unsupported();

    public virtual Task<T> UpdateStatusAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => throw Unsupported();

    public virtual Task<T> MergePatchStatusAsync<T>(ResourceType<T> type, string? @namespace, string name, JsonNode patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => throw Unsupported();

    public virtual Task<T> ApplyStatusAsync<T>(ResourceType<T> type, T obj, ApplyOptions options, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => throw Unsupported();

    private NotSupportedException Unsupported([System.Runtime.CompilerServices.CallerMemberName] string call = "") =>
        new($"{GetType().Name} does not expect {call} in this test.");
}
