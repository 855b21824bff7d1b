using System.Text.Json.Serialization.Metadata;
using DataCluster.Kube.Models;
using DataCluster.Kube.Watch;

namespace DataCluster.Kube.Client;

/// <summary>
/// The whole API: reads, writes, status writes and watches. Thread-safe; one instance per
/// process is enough (it holds one connection pool).
/// </summary>
public interface IKubeClient : IKubeReader, IKubeWriter, IKubeStatusWriter
{
    /// <summary>The namespace of the configuration (the pod's own namespace in a cluster).</summary>
    string DefaultNamespace { get; }

    /// <summary>
    /// One HTTP watch stream. Events arrive in the server's order as they are read (the response
    /// is parsed incrementally). The sequence ends when the server closes the stream (its
    /// timeout, or a restart); it throws <see cref="Errors.GoneException"/> when the server sends
    /// an ERROR event with 410 (the resourceVersion was compacted: list again), and other
    /// <see cref="Errors.KubeApiException"/>s for other ERROR events. It does not reconnect:
    /// <see cref="ResourceWatcher{T}"/> does.
    /// </summary>
    /// <param name="namespace">Null watches across all namespaces.</param>
    IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(ResourceType<T> type, string? @namespace, WatchOptions options, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject;

    /// <summary>GETs a path such as /apis and reads the JSON body; for discovery and other non-object endpoints.</summary>
    Task<TResult> GetPathAsync<TResult>(string path, JsonTypeInfo<TResult> resultType, CancellationToken cancellationToken = default);
}
