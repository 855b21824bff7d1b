using DataCluster.Kube.Models;

namespace DataCluster.Kube.Client;

/// <summary>
/// Reads objects from the API server.
/// </summary>
/// <remarks>
/// Thread-safe: calls may run concurrently. Every call is one (or, for pagination helpers, a few)
/// HTTP round trips and completes asynchronously; none blocks a thread. Errors arrive as
/// <see cref="Errors.KubeApiException"/> subclasses carrying the server's message.
/// </remarks>
public interface IKubeReader
{
    /// <summary>The object, or null when it does not exist.</summary>
    /// <param name="namespace">Required for namespaced kinds, ignored for cluster-scoped ones.</param>
    Task<T?> GetAsync<T>(ResourceType<T> type, string? @namespace, string name, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject;

    /// <summary>One page of objects. Follow <c>Metadata.Continue</c> for the next page, or use <see cref="KubeReaderExtensions.ListAllAsync"/>.</summary>
    /// <param name="namespace">Null lists across all namespaces.</param>
    Task<KubeList<T>> ListAsync<T>(ResourceType<T> type, string? @namespace, ListOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject;
}
