using DataCluster.Kube.Models;

namespace DataCluster.Kube.Informers;

/// <summary>
/// Reads of one kind from a local cache (an informer's). Thread-safe, non-blocking, no I/O.
/// Results may lag the server by the watch latency. Returned objects are shared with the
/// cache: treat them as read-only (copy before modifying).
/// </summary>
public interface IKubeCacheReader<T>
    where T : class, IKubernetesObject
{
    /// <summary>The cached object, or null.</summary>
    /// <param name="namespace">Null or "" for cluster-scoped kinds.</param>
    T? Get(string? @namespace, string name);

    /// <summary>Cached objects in <paramref name="namespace"/> (null = all) matching <paramref name="labelSelector"/> (null = all).</summary>
    IReadOnlyList<T> List(string? @namespace = null, string? labelSelector = null);
}
