using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;

namespace DataCluster.Operator.Controllers;

/// <summary>
/// The writer half of read-your-writes: forwards every write and records the object each
/// successful one returns in <see cref="WrittenObjects"/>, where <see cref="ReadYourWritesCache{T}"/>
/// finds it before the informer delivers it. A delete forgets the object.
/// </summary>
/// <remarks>
/// Thread-safe, asynchronous and failing exactly like the writers it wraps: a write that throws
/// records nothing. <see cref="PostSubresourceAsync"/> returns no object, so it records nothing.
/// </remarks>
/// <param name="writer">Where object writes go.</param>
/// <param name="statusWriter">Where status writes go.</param>
/// <param name="written">Where the results are recorded.</param>
public sealed class RecordingKubeWriter(IKubeWriter writer, IKubeStatusWriter statusWriter, WrittenObjects written) : IKubeWriter, IKubeStatusWriter
{
    public async Task<T> CreateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        Record(type, await writer.CreateAsync(type, obj, cancellationToken).ConfigureAwait(false));

    /// <summary>Forwards the dry run; it stored nothing, so nothing is recorded.</summary>
    public Task<T> DryRunCreateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        writer.DryRunCreateAsync(type, obj, cancellationToken);

    public async Task<T> UpdateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        Record(type, await writer.UpdateAsync(type, obj, cancellationToken).ConfigureAwait(false));

    public async Task DeleteAsync<T>(ResourceType<T> type, string? @namespace, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        try
        {
            await writer.DeleteAsync(type, @namespace, name, options, cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            written.Forget(type, @namespace, name);
            throw;
        }

        written.Forget(type, @namespace, name);
    }

    public async Task<T> MergePatchAsync<T>(ResourceType<T> type, string? @namespace, string name, JsonNode patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        Record(type, await writer.MergePatchAsync(type, @namespace, name, patch, cancellationToken).ConfigureAwait(false));

    public async Task<T> MergePatchAsync<T>(ResourceType<T> type, string? @namespace, string name, ReadOnlyMemory<byte> patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        Record(type, await writer.MergePatchAsync(type, @namespace, name, patch, cancellationToken).ConfigureAwait(false));

    public async Task<T> ApplyAsync<T>(ResourceType<T> type, T obj, ApplyOptions options, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        Record(type, await writer.ApplyAsync(type, obj, options, cancellationToken).ConfigureAwait(false));

    public Task PostSubresourceAsync<T, TBody>(ResourceType<T> type, string? @namespace, string name, string subresource, TBody body, JsonTypeInfo<TBody> bodyType, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        writer.PostSubresourceAsync(type, @namespace, name, subresource, body, bodyType, cancellationToken);

    public async Task<T> UpdateStatusAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        Record(type, await statusWriter.UpdateStatusAsync(type, obj, cancellationToken).ConfigureAwait(false));

    public async Task<T> MergePatchStatusAsync<T>(ResourceType<T> type, string? @namespace, string name, JsonNode patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        Record(type, await statusWriter.MergePatchStatusAsync(type, @namespace, name, patch, cancellationToken).ConfigureAwait(false));

    public async Task<T> ApplyStatusAsync<T>(ResourceType<T> type, T obj, ApplyOptions options, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        Record(type, await statusWriter.ApplyStatusAsync(type, obj, options, cancellationToken).ConfigureAwait(false));

    private T Record<T>(ResourceType<T> type, T result)
        where T : class, IKubernetesObject
    {
        written.Record(type, result);
        return result;
    }
}
