using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using DataCluster.Kube.Models;

namespace DataCluster.Kube.Client;

/// <summary>
/// Writes objects to the API server.
/// </summary>
/// <remarks>
/// Thread-safe; asynchronous, never blocks a thread. Objects passed in are serialized through
/// their <see cref="ResourceType{T}"/> (which stamps apiVersion and kind) and are not otherwise
/// modified; the returned object is what the server stored. Namespaced kinds take the namespace
/// from <c>obj.Metadata.Namespace</c>, which must then be set. Failures are
/// <see cref="Errors.KubeApiException"/> subclasses: <see cref="Errors.AlreadyExistsException"/>,
/// <see cref="Errors.ConflictException"/> (stale resourceVersion), <see cref="Errors.NotFoundException"/>,
/// <see cref="Errors.InvalidException"/>, <see cref="Errors.ForbiddenException"/>.
/// </remarks>
public interface IKubeWriter
{
    /// <summary>Creates the object (POST).</summary>
    Task<T> CreateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject;

    /// <summary>
    /// Creates the object as a server-side dry run (<c>dryRun=All</c>): the server defaults,
    /// admits and validates it as it would a real create, stores nothing, and answers with the
    /// object it would have stored. A refusal throws exactly as <see cref="CreateAsync{T}"/>
    /// would (<see cref="Errors.InvalidException"/> for a failed validation). Needs the same
    /// permission as a create.
    /// </summary>
    Task<T> DryRunCreateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject;

    /// <summary>
    /// Replaces the object (PUT). When <c>obj.Metadata.ResourceVersion</c> is set, the server
    /// rejects the write with <see cref="Errors.ConflictException"/> if the object changed since.
    /// </summary>
    Task<T> UpdateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject;

    /// <summary>Deletes the object. Throws <see cref="Errors.NotFoundException"/> if it does not exist.</summary>
    Task DeleteAsync<T>(ResourceType<T> type, string? @namespace, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject;

    /// <summary>Applies a JSON merge patch (RFC 7386): null deletes a field, objects merge, lists are replaced.</summary>
    Task<T> MergePatchAsync<T>(ResourceType<T> type, string? @namespace, string name, JsonNode patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject;

    /// <summary>Applies a JSON merge patch given as UTF-8 JSON.</summary>
    Task<T> MergePatchAsync<T>(ResourceType<T> type, string? @namespace, string name, ReadOnlyMemory<byte> patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject;

    /// <summary>
    /// Server-side apply: <paramref name="obj"/> states the fields <see cref="ApplyOptions.FieldManager"/>
    /// owns, and the server merges them with other managers' fields. Creates the object if needed.
    /// Build <paramref name="obj"/> fresh with only the fields you own; leave resourceVersion unset
    /// unless you want the apply to fail when the object changed.
    /// </summary>
    Task<T> ApplyAsync<T>(ResourceType<T> type, T obj, ApplyOptions options, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject;

    /// <summary>
    /// POSTs <paramref name="body"/> to a subresource, e.g. a Binding to pods/NAME/binding or an
    /// Eviction to pods/NAME/eviction.
    /// </summary>
    Task PostSubresourceAsync<T, TBody>(ResourceType<T> type, string? @namespace, string name, string subresource, TBody body, JsonTypeInfo<TBody> bodyType, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject;
}
