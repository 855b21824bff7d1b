using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DataCluster.Kube;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;

namespace DataCluster.Operator.Tests.InMemory;

/// <summary>
/// The objects of a pretend API server, kept as JSON, with one resourceVersion counter across
/// kinds (etcd's revision), and what the informer caches show of them: the same objects, unless
/// a test holds a kind back to play a watch that has not delivered its latest events yet.
/// </summary>
/// <remarks>
/// Not thread-safe: a test drives the world and the reconciler from one flow. Every object handed
/// out is a fresh copy, so nothing a reader changes reaches the store. Both the
/// <see cref="InMemoryApi"/> (the operator's writes) and the test itself (the kubelet's, the
/// agents', the StatefulSet controller's and users' writes) change the world through here.
/// </remarks>
internal sealed class InMemoryStore(TimeProvider time)
{
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _kinds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _held = new(StringComparer.Ordinal);
    private long _revision = 1000;
    private int _uids;

    /// <summary>Raised after every change of an object on the server: its kind key, the old version (null when created) and the new one (null when deleted).</summary>
    public event Action<string, JsonObject?, JsonObject?>? Changed;

    /// <summary>The key that tells kinds apart: plural and group (served versions of a kind are the same objects).</summary>
    public static string KindOf<T>(ResourceType<T> type)
        where T : class, IKubernetesObject => $"{type.Plural}.{type.Group}";

    /// <summary>The object as the server has it, or null.</summary>
    public JsonObject? Get(string kind, string? @namespace, string name) =>
        Objects(kind).TryGetValue(Key(@namespace, name), out var found) ? Copy(found) : null;

    /// <summary>Every object of a kind as the server has it, by namespace and name.</summary>
    public List<JsonObject> List(string kind) => [.. Objects(kind).Values.Select(Copy)];

    /// <summary>The object as the informer cache shows it: the held version while the kind is held back.</summary>
    public JsonObject? CachedGet(string kind, string? @namespace, string name) =>
        CacheView(kind).TryGetValue(Key(@namespace, name), out var found) ? Copy(found) : null;

    /// <summary>Every object of a kind as the informer cache shows it.</summary>
    public List<JsonObject> CachedList(string kind) => [.. CacheView(kind).Values.Select(Copy)];

    /// <summary>From now on the cache shows <paramref name="kind"/> as it is now, until <see cref="CatchUp"/>.</summary>
    public void Hold(string kind)
    {
        if (!_held.ContainsKey(kind))
        {
            _held[kind] = new SortedDictionary<string, JsonObject>(Objects(kind).ToDictionary(p => p.Key, p => Copy(p.Value)), StringComparer.Ordinal);
        }
    }

    /// <summary>The watches deliver everything: the caches show the server's objects again.</summary>
    public void CatchUp() => _held.Clear();

    /// <summary>
    /// Stores a new object: stamps uid, creationTimestamp, generation 1 and the next
    /// resourceVersion. Throws <see cref="AlreadyExistsException"/> when the name is taken.
    /// </summary>
    public JsonObject Create(string kind, JsonObject obj)
    {
        var metadata = Metadata(obj);
        var name = (string?)metadata["name"] ?? throw new InvalidException($"a {kind} needs metadata.name");
        var key = Key((string?)metadata["namespace"], name);
        var objects = Objects(kind);
        if (objects.ContainsKey(key))
        {
            throw new AlreadyExistsException($"{kind} \"{name}\" already exists");
        }

        var stored = Copy(obj);
        var meta = Metadata(stored);
        meta["uid"] ??= $"00000000-0000-4000-8000-{++_uids:D12}";
        meta["creationTimestamp"] ??= time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        meta["generation"] = 1L;
        meta["resourceVersion"] = NextRevision();
        objects[key] = stored;
        Changed?.Invoke(kind, null, Copy(stored));
        return Copy(stored);
    }

    /// <summary>
    /// Replaces a stored object with <paramref name="obj"/> (whose uid and creationTimestamp are
    /// kept from the stored one). Nothing changes when it equals the stored object, as on a real
    /// server a no-op write keeps the resourceVersion; otherwise the resourceVersion moves on and
    /// the generation too when anything outside metadata and status changed.
    /// </summary>
    public JsonObject Replace(string kind, JsonObject obj)
    {
        var metadata = Metadata(obj);
        var name = (string?)metadata["name"] ?? throw new InvalidException($"a {kind} needs metadata.name");
        var key = Key((string?)metadata["namespace"], name);
        var objects = Objects(kind);
        if (!objects.TryGetValue(key, out var old))
        {
            throw new NotFoundException($"{kind} \"{name}\" not found");
        }

        var stored = Copy(obj);
        var meta = Metadata(stored);
        var oldMeta = Metadata(old);
        meta["uid"] = oldMeta["uid"]?.DeepClone();
        meta["creationTimestamp"] = oldMeta["creationTimestamp"]?.DeepClone();
        meta["generation"] = oldMeta["generation"]?.DeepClone();
        meta["resourceVersion"] = oldMeta["resourceVersion"]?.DeepClone();
        if (JsonNode.DeepEquals(stored, old))
        {
            return Copy(old);
        }

        if (!JsonNode.DeepEquals(WithoutMetadataAndStatus(stored), WithoutMetadataAndStatus(old)))
        {
            meta["generation"] = ((long?)oldMeta["generation"] ?? 0) + 1;
        }

        meta["resourceVersion"] = NextRevision();
        objects[key] = stored;
        Changed?.Invoke(kind, Copy(old), Copy(stored));
        return Copy(stored);
    }

    /// <summary>Removes an object; throws <see cref="NotFoundException"/> when there is none.</summary>
    public void Delete(string kind, string? @namespace, string name)
    {
        var objects = Objects(kind);
        if (!objects.Remove(Key(@namespace, name), out var old))
        {
            throw new NotFoundException($"{kind} \"{name}\" not found");
        }

        Changed?.Invoke(kind, Copy(old), null);
    }

    /// <summary>Reads stored JSON as <typeparamref name="T"/>, the way the client reads a response.</summary>
    public static T Read<T>(ResourceType<T> type, JsonObject obj)
        where T : class, IKubernetesObject => type.Read(Encoding.UTF8.GetBytes(obj.ToJsonString()));

    /// <summary>Writes <paramref name="obj"/> as JSON, the way the client sends it (apiVersion and kind stamped).</summary>
    public static JsonObject Write<T>(ResourceType<T> type, T obj)
        where T : class, IKubernetesObject => JsonNode.Parse(type.Serialize(obj))!.AsObject();

    public static JsonObject Metadata(JsonObject obj) =>
        obj["metadata"] as JsonObject ?? throw new InvalidException("the object has no metadata");

    private SortedDictionary<string, JsonObject> Objects(string kind)
    {
        if (!_kinds.TryGetValue(kind, out var objects))
        {
            _kinds[kind] = objects = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        }

        return objects;
    }

    private SortedDictionary<string, JsonObject> CacheView(string kind) =>
        _held.TryGetValue(kind, out var held) ? held : Objects(kind);

    private string NextRevision() => (++_revision).ToString(CultureInfo.InvariantCulture);

    private static string Key(string? @namespace, string name) => $"{@namespace}/{name}";

    private static JsonObject Copy(JsonObject obj) => obj.DeepClone().AsObject();

    private static JsonObject WithoutMetadataAndStatus(JsonObject obj)
    {
        var copy = Copy(obj);
        copy.Remove("metadata");
        copy.Remove("status");
        return copy;
    }
}
