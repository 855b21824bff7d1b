using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.Kube.Selectors;

namespace DataCluster.Operator.Tests.InMemory;

/// <summary>One write request as the API server's audit log would show it.</summary>
internal sealed record ApiWrite(string Verb, string Resource, string? Namespace, string Name)
{
    public override string ToString() => $"{Verb} {Resource} {Namespace}/{Name}";
}

/// <summary>
/// The API server's read and write endpoints over an <see cref="InMemoryStore"/>: create, update
/// (a Conflict on a stale resourceVersion), delete, JSON merge patch, the status subresource and
/// server-side apply. Every write request is logged in <see cref="Writes"/>, failed ones too, as
/// an audit log counts them.
/// </summary>
/// <remarks>
/// <para>
/// Server-side apply is approximated: the applied object is merged into the stored one (objects
/// field by field, lists replaced whole), so fields the applier did not send, such as status or
/// another manager's labels, are kept; fields the same field manager sent last time and not this
/// time are removed, as their owner gave them up. A resourceVersion in the applied object is a
/// precondition. Writes to the main resource ignore status and status writes change only status,
/// as for kinds with a status subresource.
/// </para>
/// <para>Not thread-safe, like the store.</para>
/// </remarks>
internal sealed class InMemoryApi(InMemoryStore store) : IKubeReader, IKubeWriter, IKubeStatusWriter
{
    private readonly Dictionary<string, JsonObject> _lastApplied = new(StringComparer.Ordinal);

    /// <summary>Every write request so far, in order.</summary>
    public List<ApiWrite> Writes { get; } = [];

    /// <summary>Every dry-run create so far, in order: the server stores nothing for them, so they are not in <see cref="Writes"/>.</summary>
    public List<ApiWrite> DryRuns { get; } = [];

    /// <summary>
    /// What a dry-run create answers: null (the default) accepts the object as a server without
    /// admission or pod validation would; an exception is thrown as the server's refusal.
    /// </summary>
    public Func<IKubernetesObject, KubeApiException?> DryRunRefusal { get; set; } = _ => null;

    public Task<T?> GetAsync<T>(ResourceType<T> type, string? @namespace, string name, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        var found = store.Get(InMemoryStore.KindOf(type), Scope(type, @namespace), name);
        return Task.FromResult(found is null ? null : InMemoryStore.Read(type, found));
    }

    public Task<KubeList<T>> ListAsync<T>(ResourceType<T> type, string? @namespace, ListOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        var selector = LabelSelectorExpression.Parse(options?.LabelSelector);
        var list = new KubeList<T>();
        list.Items.AddRange(store.List(InMemoryStore.KindOf(type))
            .Select(o => InMemoryStore.Read(type, o))
            .Where(o => (@namespace is null || o.Metadata.Namespace == @namespace) && selector.Matches(o.Metadata.Labels)));
        return Task.FromResult(list);
    }

    public Task<T> CreateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        Log("create", type, obj.Metadata.Namespace, obj.Metadata.Name);
        var json = InMemoryStore.Write(type, obj);
        json.Remove("status");
        return Done(type, store.Create(InMemoryStore.KindOf(type), json));
    }

    public Task<T> DryRunCreateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        DryRuns.Add(new ApiWrite("create", type.Plural, obj.Metadata.Namespace, obj.Metadata.Name ?? obj.Metadata.GenerateName ?? ""));
        if (DryRunRefusal(obj) is { } refusal)
        {
            return Task.FromException<T>(refusal);
        }

        return Task.FromResult(InMemoryStore.Read(type, InMemoryStore.Write(type, obj)));
    }

    public Task<T> UpdateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        Log("update", type, obj.Metadata.Namespace, obj.Metadata.Name);
        var existing = Existing(type, obj.Metadata.Namespace, obj.Metadata.Name);
        CheckVersion(existing, obj.Metadata.ResourceVersion);
        var json = InMemoryStore.Write(type, obj);
        json["status"] = existing["status"]?.DeepClone();
        return Done(type, store.Replace(InMemoryStore.KindOf(type), WithoutNulls(json)));
    }

    public Task DeleteAsync<T>(ResourceType<T> type, string? @namespace, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        Log("delete", type, @namespace, name);
        var existing = Existing(type, @namespace, name);
        CheckVersion(existing, options?.PreconditionResourceVersion);
        if (options?.PreconditionUid is { } uid && (string?)InMemoryStore.Metadata(existing)["uid"] != uid)
        {
            throw new ConflictException($"the uid precondition {uid} does not match");
        }

        store.Delete(InMemoryStore.KindOf(type), Scope(type, @namespace), name);
        foreach (var key in _lastApplied.Keys.Where(k => k.StartsWith(ObjectKey(type, @namespace, name), StringComparison.Ordinal)).ToList())
        {
            _lastApplied.Remove(key);
        }

        return Task.CompletedTask;
    }

    public Task<T> MergePatchAsync<T>(ResourceType<T> type, string? @namespace, string name, JsonNode patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        Log("patch", type, @namespace, name);
        var existing = Existing(type, @namespace, name);
        var body = patch.DeepClone().AsObject();
        body.Remove("status");
        CheckVersion(existing, (string?)(body["metadata"] as JsonObject)?["resourceVersion"]);
        return Done(type, store.Replace(InMemoryStore.KindOf(type), MergePatch(existing, body)!.AsObject()));
    }

    public Task<T> MergePatchAsync<T>(ResourceType<T> type, string? @namespace, string name, ReadOnlyMemory<byte> patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        MergePatchAsync(type, @namespace, name, JsonNode.Parse(patch.Span)!, cancellationToken);

    public Task<T> ApplyAsync<T>(ResourceType<T> type, T obj, ApplyOptions options, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        ArgumentNullException.ThrowIfNull(options);
        Log("apply", type, obj.Metadata.Namespace, obj.Metadata.Name);
        var applied = InMemoryStore.Write(type, obj);
        applied.Remove("status");
        var key = ObjectKey(type, obj.Metadata.Namespace, obj.Metadata.Name) + options.FieldManager;
        var kind = InMemoryStore.KindOf(type);
        var existing = store.Get(kind, Scope(type, obj.Metadata.Namespace), obj.Metadata.Name!);
        JsonObject result;
        if (existing is null)
        {
            result = store.Create(kind, applied);
        }
        else
        {
            CheckVersion(existing, obj.Metadata.ResourceVersion);
            var merged = Merge(existing, applied);
            if (_lastApplied.TryGetValue(key, out var before))
            {
                RemoveGivenUp(merged, before, applied);
            }

            result = store.Replace(kind, merged);
        }

        _lastApplied[key] = applied;
        return Done(type, result);
    }

    public Task PostSubresourceAsync<T, TBody>(ResourceType<T> type, string? @namespace, string name, string subresource, TBody body, JsonTypeInfo<TBody> bodyType, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject =>
        throw new NotSupportedException($"The in-memory API has no {type.Plural}/{subresource}.");

    public Task<T> UpdateStatusAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        Log("update", type, obj.Metadata.Namespace, obj.Metadata.Name, "/status");
        var existing = Existing(type, obj.Metadata.Namespace, obj.Metadata.Name);
        CheckVersion(existing, obj.Metadata.ResourceVersion);
        existing["status"] = InMemoryStore.Write(type, obj)["status"]?.DeepClone();
        return Done(type, store.Replace(InMemoryStore.KindOf(type), WithoutNulls(existing)));
    }

    public Task<T> MergePatchStatusAsync<T>(ResourceType<T> type, string? @namespace, string name, JsonNode patch, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        Log("patch", type, @namespace, name, "/status");
        var existing = Existing(type, @namespace, name);
        var status = patch["status"];
        existing["status"] = status is null ? existing["status"]?.DeepClone() : MergePatch(existing["status"], status);
        return Done(type, store.Replace(InMemoryStore.KindOf(type), WithoutNulls(existing)));
    }

    public Task<T> ApplyStatusAsync<T>(ResourceType<T> type, T obj, ApplyOptions options, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject
    {
        Log("apply", type, obj.Metadata.Namespace, obj.Metadata.Name, "/status");
        var existing = Existing(type, obj.Metadata.Namespace, obj.Metadata.Name);
        if (InMemoryStore.Write(type, obj)["status"] is JsonObject status)
        {
            existing["status"] = existing["status"] is JsonObject before ? Merge(before, status) : status.DeepClone();
        }

        return Done(type, store.Replace(InMemoryStore.KindOf(type), existing));
    }

    /// <summary>RFC 7386: objects merge, null removes, anything else replaces.</summary>
    public static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject targetObject ? targetObject.DeepClone().AsObject() : new JsonObject();
        foreach (var (name, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else
            {
                result[name] = MergePatch(result[name], value);
            }
        }

        return result;
    }

    /// <summary>The applied object over the stored one: objects merge field by field, anything else (lists too) replaces.</summary>
    private static JsonObject Merge(JsonObject stored, JsonObject applied)
    {
        var result = stored.DeepClone().AsObject();
        foreach (var (name, value) in applied)
        {
            result[name] = result[name] is JsonObject inner && value is JsonObject update ? Merge(inner, update) : value?.DeepClone();
        }

        return result;
    }

    /// <summary>Removes from <paramref name="merged"/> the fields <paramref name="before"/> set and <paramref name="now"/> no longer does.</summary>
    private static void RemoveGivenUp(JsonObject merged, JsonObject before, JsonObject now)
    {
        foreach (var (name, value) in before)
        {
            if (!now.ContainsKey(name))
            {
                merged.Remove(name);
            }
            else if (value is JsonObject beforeInner && now[name] is JsonObject nowInner && merged[name] is JsonObject mergedInner)
            {
                RemoveGivenUp(mergedInner, beforeInner, nowInner);
            }
        }
    }

    private JsonObject Existing<T>(ResourceType<T> type, string? @namespace, string? name)
        where T : class, IKubernetesObject =>
        store.Get(InMemoryStore.KindOf(type), Scope(type, @namespace), name ?? "")
            ?? throw new NotFoundException($"{type.Plural}.{type.Group} \"{name}\" not found");

    private static void CheckVersion(JsonObject existing, string? expected)
    {
        var current = (string?)InMemoryStore.Metadata(existing)["resourceVersion"];
        if (!string.IsNullOrEmpty(expected) && expected != current)
        {
            throw new ConflictException($"the object has been modified (resourceVersion {expected} is not the current {current}); please apply your changes to the latest version and try again");
        }
    }

    private static JsonObject WithoutNulls(JsonObject obj)
    {
        foreach (var name in obj.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            obj.Remove(name);
        }

        return obj;
    }

    private void Log<T>(string verb, ResourceType<T> type, string? @namespace, string? name, string subresource = "")
        where T : class, IKubernetesObject =>
        Writes.Add(new ApiWrite(verb, type.Plural + subresource, @namespace, name ?? ""));

    private static Task<T> Done<T>(ResourceType<T> type, JsonObject stored)
        where T : class, IKubernetesObject => Task.FromResult(InMemoryStore.Read(type, stored));

    private static string? Scope<T>(ResourceType<T> type, string? @namespace)
        where T : class, IKubernetesObject => type.Namespaced ? @namespace : null;

    private static string ObjectKey<T>(ResourceType<T> type, string? @namespace, string? name)
        where T : class, IKubernetesObject => $"{InMemoryStore.KindOf(type)}/{Scope(type, @namespace)}/{name}/";
}
