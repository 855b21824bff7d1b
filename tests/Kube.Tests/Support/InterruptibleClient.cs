using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using DataCluster.Kube.Client;
using DataCluster.Kube.Models;
using DataCluster.Kube.Watch;

namespace DataCluster.Kube.Tests.Support;

/// <summary>
/// A real client whose watch connections a test can cut and hold down, as a network fault
/// would, while every other call goes through unchanged.
/// </summary>
internal sealed class InterruptibleClient(IKubeClient inner) : IKubeClient
{
    private CancellationTokenSource _cut = new();
    private volatile bool _down;
    private int _opened;

    public string DefaultNamespace => inner.DefaultNamespace;

    /// <summary>Watch requests that reached the server.</summary>
    public int WatchesOpened => Volatile.Read(ref _opened);

    /// <summary>Breaks every open watch and refuses new ones until <see cref="Restore"/>.</summary>
    public void CutWatches()
    {
        _down = true;
        Interlocked.Exchange(ref _cut, new CancellationTokenSource()).Cancel();
    }

    public void Restore() => _down = false;

    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(ResourceType<T> type, string? @namespace, WatchOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        if (_down)
        {
            throw new HttpRequestException("Connection refused (simulated)");
        }

        Interlocked.Increment(ref _opened);
        var cut = Volatile.Read(ref _cut).Token;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, cut);
        var events = inner.WatchAsync(type, @namespace, options, linked.Token).GetAsyncEnumerator(linked.Token);
        try
        {
            while (true)
            {
                try
                {
                    if (!await events.MoveNextAsync())
                    {
                        yield break;
                    }
                }
                catch (OperationCanceledException) when (cut.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new IOException("Connection reset (simulated)");
                }

                yield return events.Current;
            }
        }
        finally
        {
            await events.DisposeAsync();
        }
    }

    public Task<TResult> GetPathAsync<TResult>(string path, JsonTypeInfo<TResult> resultType, CancellationToken cancellationToken = default) =>
        inner.GetPathAsync(path, resultType, cancellationToken);

    public Task<T?> GetAsync<T>(ResourceType<T> type, string? @namespace, string name, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => inner.GetAsync(type, @namespace, name, cancellationToken);

    public Task<KubeList<T>> ListAsync<T>(ResourceType<T> type, string? @namespace, ListOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => inner.ListAsync(type, @namespace, options, cancellationToken);

    public Task<T> CreateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => inner.CreateAsync(type, obj, cancellationToken);

    public Task<T> DryRunCreateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => inner.DryRunCreateAsync(type, obj, cancellationToken);

    public Task<T> UpdateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => inner.UpdateAsync(type, obj, cancellationToken);

    public Task DeleteAsync<T>(ResourceType<T> type, string? @namespace, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => inner.DeleteAsync(type, @namespace, name, options, cancellationToken);

    public Task<T> MergePatchAsync<T>(ResourceType<T> type, string? @namespace, string name, JsonNode patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => inner.MergePatchAsync(type, @namespace, name, patch, cancellationToken);

    public Task<T> MergePatchAsync<T>(ResourceType<T> type, string? @namespace, string name, ReadOnlyMemory<byte> patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => inner.MergePatchAsync(type, @namespace, name, patch, cancellationToken);

    public Task<T> ApplyAsync<T>(ResourceType<T> type, T obj, ApplyOptions options, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => inner.ApplyAsync(type, obj, options, cancellationToken);

    public Task PostSubresourceAsync<T, TBody>(ResourceType<T> type, string? @namespace, string name, string subresource, TBody body, JsonTypeInfo<TBody> bodyType, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => inner.PostSubresourceAsync(type, @namespace, name, subresource, body, bodyType, cancellationToken);

    public Task<T> UpdateStatusAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => inner.UpdateStatusAsync(type, obj, cancellationToken);

    public Task<T> MergePatchStatusAsync<T>(ResourceType<T> type, string? @namespace, string name, JsonNode patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => inner.MergePatchStatusAsync(type, @namespace, name, patch, cancellationToken);

    public Task<T> ApplyStatusAsync<T>(ResourceType<T> type, T obj, ApplyOptions options, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject => inner.ApplyStatusAsync(type, obj, options, cancellationToken);
}
