using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;

namespace DataCluster.Kube.Client;

/// <summary>Reads and writes of objects and their status subresource.</summary>
public sealed partial class KubeClient
{
    /// <inheritdoc />
    public async Task<T?> GetAsync<T>(ResourceType<T> type, string? @namespace, string name, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        try
        {
            return await SendForJsonAsync(HttpMethod.Get, type.ObjectPath(@namespace, name), null, type.Read, cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public Task<KubeList<T>> ListAsync<T>(ResourceType<T> type, string? @namespace, ListOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        options ??= new ListOptions();
        var query = new QueryString()
            .Add("labelSelector", options.LabelSelector)
            .Add("fieldSelector", options.FieldSelector)
            .Add("limit", options.Limit)
            .Add("continue", options.Continue)
            .Add("resourceVersion", options.ResourceVersion);
        return SendForJsonAsync(HttpMethod.Get, type.CollectionPath(@namespace) + query, null, type.ReadList, cancellationToken);
    }

    /// <inheritdoc />
    public Task<T> CreateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        ArgumentNullException.ThrowIfNull(obj);
        var path = type.CollectionPath(NamespaceOf(type, obj));
        return SendForJsonAsync(HttpMethod.Post, path, JsonContent(type.Serialize(obj), JsonMediaType), type.Read, cancellationToken);
    }

    /// <inheritdoc />
    public Task<T> DryRunCreateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        ArgumentNullException.ThrowIfNull(obj);
        var path = type.CollectionPath(NamespaceOf(type, obj)) + new QueryString().Add("dryRun", "All");
        return SendForJsonAsync(HttpMethod.Post, path, JsonContent(type.Serialize(obj), JsonMediaType), type.Read, cancellationToken);
    }

    /// <inheritdoc />
    public Task<T> UpdateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        PutAsync(type, obj, subresource: null, cancellationToken);

    /// <inheritdoc />
    public Task DeleteAsync<T>(ResourceType<T> type, string? @namespace, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        ByteArrayContent? body = null;
        if (options is not null)
        {
            body = JsonContent(JsonSerializer.SerializeToUtf8Bytes(DeleteOptionsBody.From(options), ClientJsonContext.Default.DeleteOptionsBody), JsonMediaType);
        }

        return SendAndForgetAsync(HttpMethod.Delete, type.ObjectPath(@namespace, name), body, cancellationToken);
    }

    /// <inheritdoc />
    public Task<T> MergePatchAsync<T>(ResourceType<T> type, string? @namespace, string name, JsonNode patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        MergePatchAsync(type, @namespace, name, Utf8(patch), cancellationToken);

    /// <inheritdoc />
    public Task<T> MergePatchAsync<T>(ResourceType<T> type, string? @namespace, string name, ReadOnlyMemory<byte> patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        PatchAsync(type, type.ObjectPath(@namespace, name), patch.ToArray(), MergePatchMediaType, cancellationToken);

    /// <inheritdoc />
    public Task<T> ApplyAsync<T>(ResourceType<T> type, T obj, ApplyOptions options, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        ApplyCoreAsync(type, obj, options, subresource: null, cancellationToken);

    /// <inheritdoc />
    public Task PostSubresourceAsync<T, TBody>(ResourceType<T> type, string? @namespace, string name, string subresource, TBody body, JsonTypeInfo<TBody> bodyType, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        var path = $"{type.ObjectPath(@namespace, name)}/{subresource}";
        return SendAndForgetAsync(HttpMethod.Post, path, JsonContent(JsonSerializer.SerializeToUtf8Bytes(body, bodyType), JsonMediaType), cancellationToken);
    }

    /// <inheritdoc />
    public Task<T> UpdateStatusAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        PutAsync(type, obj, subresource: "status", cancellationToken);

    /// <inheritdoc />
    public Task<T> MergePatchStatusAsync<T>(ResourceType<T> type, string? @namespace, string name, JsonNode patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        PatchAsync(type, type.ObjectPath(@namespace, name) + "/status", Utf8(patch), MergePatchMediaType, cancellationToken);

    /// <inheritdoc />
    public Task<T> ApplyStatusAsync<T>(ResourceType<T> type, T obj, ApplyOptions options, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        ApplyCoreAsync(type, obj, options, subresource: "status", cancellationToken);

    private Task<T> PutAsync<T>(ResourceType<T> type, T obj, string? subresource, CancellationToken cancellationToken)
        where T : class, IKubernetesObject
    {
        ArgumentNullException.ThrowIfNull(obj);
        var path = type.ObjectPath(NamespaceOf(type, obj), NameOf(type, obj));
        if (subresource is not null)
        {
            path += "/" + subresource;
        }

        return SendForJsonAsync(HttpMethod.Put, path, JsonContent(type.Serialize(obj), JsonMediaType), type.Read, cancellationToken);
    }

    private Task<T> ApplyCoreAsync<T>(ResourceType<T> type, T obj, ApplyOptions options, string? subresource, CancellationToken cancellationToken)
        where T : class, IKubernetesObject
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.FieldManager))
        {
            throw new ArgumentException("Server-side apply needs a field manager (ApplyOptions.FieldManager).", nameof(options));
        }

        var path = type.ObjectPath(NamespaceOf(type, obj), NameOf(type, obj));
        if (subresource is not null)
        {
            path += "/" + subresource;
        }

        path += new QueryString().Add("fieldManager", options.FieldManager).Add("force", options.Force);
        return PatchAsync(type, path, type.Serialize(obj), ApplyPatchMediaType, cancellationToken);
    }

    private Task<T> PatchAsync<T>(ResourceType<T> type, string path, byte[] body, System.Net.Http.Headers.MediaTypeHeaderValue mediaType, CancellationToken cancellationToken)
        where T : class, IKubernetesObject =>
        SendForJsonAsync(HttpMethod.Patch, path, JsonContent(body, mediaType), type.Read, cancellationToken);

    private static byte[] Utf8(JsonNode patch)
    {
        ArgumentNullException.ThrowIfNull(patch);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            patch.WriteTo(writer);
        }

        return buffer.ToArray();
    }

    private static string? NamespaceOf<T>(ResourceType<T> type, T obj)
        where T : class, IKubernetesObject
    {
        if (!type.Namespaced)
        {
            return null;
        }

        var ns = obj.Metadata.Namespace;
        return string.IsNullOrEmpty(ns)
            ? throw new ArgumentException($"{type.Kind} '{obj.Metadata.Name}' is namespaced; set Metadata.Namespace.", nameof(obj))
            : ns;
    }

    private static string NameOf<T>(ResourceType<T> type, T obj)
        where T : class, IKubernetesObject
    {
        var name = obj.Metadata.Name;
        return string.IsNullOrEmpty(name) ? throw new ArgumentException($"The {type.Kind} has no Metadata.Name.", nameof(obj)) : name;
    }
}
