using System.Text.Json.Nodes;
using DataCluster.Kube.Models;

namespace DataCluster.Kube.Client;

/// <summary>
/// Writes the status subresource. For kinds with a status subresource the main endpoints ignore
/// status and these ignore everything but status, so spec and status writers never clobber
/// each other. Same threading and error contract as <see cref="IKubeWriter"/>.
/// </summary>
public interface IKubeStatusWriter
{
    /// <summary>Replaces the status (PUT .../status), with optimistic concurrency on resourceVersion.</summary>
    Task<T> UpdateStatusAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject;

    /// <summary>JSON merge patch of the status subresource, e.g. {"status":{"phase":"Ready"}}.</summary>
    Task<T> MergePatchStatusAsync<T>(ResourceType<T> type, string? @namespace, string name, JsonNode patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject;

    /// <summary>Server-side apply of the status subresource.</summary>
    Task<T> ApplyStatusAsync<T>(ResourceType<T> type, T obj, ApplyOptions options, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject;
}
