using DataCluster.Kube;
using DataCluster.Kube.Informers;
using DataCluster.Kube.Models;

namespace DataCluster.Operator.Controllers;

/// <summary>
/// The reader half of read-your-writes: a cache reader that answers with the object this process
/// last wrote (<see cref="RecordingKubeWriter"/>) instead of the cached one while the cache has
/// not caught up with that write (<see cref="WrittenObjects.Newest{T}"/>).
/// </summary>
/// <remarks>
/// Keeps the <see cref="IKubeCacheReader{T}"/> contract: thread-safe, non-blocking, no I/O,
/// results shared and read-only. <see cref="List"/> swaps in the written version of each object
/// the cache lists (even if that version no longer matches the selector) and adds none the cache
/// does not list, as a missing cached object wins.
/// </remarks>
/// <param name="cache">The informer cache.</param>
/// <param name="type">The kind, for telling objects apart in <paramref name="written"/>.</param>
/// <param name="written">What this process wrote.</param>
public sealed class ReadYourWritesCache<T>(IKubeCacheReader<T> cache, ResourceType<T> type, WrittenObjects written) : IKubeCacheReader<T>
    where T : class, IKubernetesObject
{
    /// <inheritdoc />
    public T? Get(string? @namespace, string name) => written.Newest(type, cache.Get(@namespace, name));

    /// <inheritdoc />
    public IReadOnlyList<T> List(string? @namespace = null, string? labelSelector = null)
    {
        var cached = cache.List(@namespace, labelSelector);
        return written.Count == 0 ? cached : [.. cached.Select(c => written.Newest(type, c)!)];
    }
}
