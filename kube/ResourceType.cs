using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DataCluster.Kube.Models;

namespace DataCluster.Kube;

/// <summary>
/// Everything the client needs to address and (de)serialize one kind: group, version, plural,
/// scope and the source-generated JSON metadata. Instances are immutable and thread-safe.
/// </summary>
/// <remarks>
/// A kind whose served version differs between API servers (EndpointSlice, PodDisruptionBudget)
/// is modelled once, in its newest shape; <see cref="WithVersion"/> returns a variant bound to an
/// older served version whose <see cref="Read"/> and <see cref="Write"/> convert, so callers never
/// see the difference. Discovery picks the variant.
/// </remarks>
public class ResourceType<T> where T : class, IKubernetesObject
{
    public ResourceType(
        string group,
        string version,
        string kind,
        string plural,
        bool namespaced,
        JsonTypeInfo<T> typeInfo,
        JsonTypeInfo<KubeList<T>> listTypeInfo,
        IReadOnlyList<string>? servedVersions = null)
    {
        Group = group;
        Version = version;
        Kind = kind;
        Plural = plural;
        Namespaced = namespaced;
        TypeInfo = typeInfo;
        ListTypeInfo = listTypeInfo;
        ServedVersions = servedVersions ?? [version];
    }

    public string Group { get; }

    /// <summary>The version requests go to.</summary>
    public string Version { get; }

    public string Kind { get; }

    public string Plural { get; }

    public bool Namespaced { get; }

    /// <summary>The versions this model can be exchanged in, preferred first.</summary>
    public IReadOnlyList<string> ServedVersions { get; }

    public JsonTypeInfo<T> TypeInfo { get; }

    public JsonTypeInfo<KubeList<T>> ListTypeInfo { get; }

    /// <summary>apiVersion as written in objects: "v1" for the core group, else "group/version".</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The URL path of the collection, e.g. /apis/apps/v1/namespaces/ns/statefulsets.</summary>
    public string CollectionPath(string? @namespace)
    {
        var root = Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";
        if (!Namespaced)
        {
            return $"{root}/{Plural}";
        }

        if (string.IsNullOrEmpty(@namespace))
        {
            return $"{root}/{Plural}"; // all namespaces
        }

        return $"{root}/namespaces/{Uri.EscapeDataString(@namespace)}/{Plural}";
    }

    /// <summary>The URL path of one object.</summary>
    public string ObjectPath(string? @namespace, string name)
    {
        if (Namespaced && string.IsNullOrEmpty(@namespace))
        {
            throw new ArgumentException($"{Kind} is namespaced; a namespace is required to address '{name}'.", nameof(@namespace));
        }

        return $"{CollectionPath(@namespace)}/{Uri.EscapeDataString(name)}";
    }

    /// <summary>
    /// This kind bound to another served version. The base implementation only changes the
    /// path and apiVersion; kinds whose shape differs between versions override it.
    /// </summary>
    public virtual ResourceType<T> WithVersion(string version)
    {
        if (version == Version)
        {
            return this;
        }

        if (!ServedVersions.Contains(version))
        {
            throw new ArgumentException($"{Kind} has no model for version {version}; known: {string.Join(", ", ServedVersions)}.", nameof(version));
        }

        return new ResourceType<T>(Group, version, Kind, Plural, Namespaced, TypeInfo, ListTypeInfo, ServedVersions);
    }

    /// <summary>Reads one object as the server sent it in <see cref="Version"/>.</summary>
    public virtual T Read(JsonElement element)
    {
        var value = element.Deserialize(TypeInfo) ?? throw new JsonException($"The server sent null for a {Kind}.");
        return value;
    }

    /// <summary>Reads one object from raw UTF-8 JSON.</summary>
    public T Read(ReadOnlySpan<byte> utf8Json)
    {
        using var document = JsonDocument.Parse(utf8Json.ToArray());
        return Read(document.RootElement);
    }

    /// <summary>Reads a list as the server sent it in <see cref="Version"/>.</summary>
    public virtual KubeList<T> ReadList(JsonElement element)
    {
        return element.Deserialize(ListTypeInfo) ?? throw new JsonException($"The server sent null for a {Kind} list.");
    }

    /// <summary>Writes one object in the shape of <see cref="Version"/>, stamping apiVersion and kind.</summary>
    public virtual void Write(Utf8JsonWriter writer, T value)
    {
        value.ApiVersion = ApiVersion;
        value.Kind = Kind;
        JsonSerializer.Serialize(writer, value, TypeInfo);
    }

    /// <summary>Serializes one object to UTF-8 JSON in the shape of <see cref="Version"/>.</summary>
    public byte[] Serialize(T value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, value);
        }

        return buffer.ToArray();
    }

    public override string ToString() => $"{Plural}.{(Group.Length == 0 ? "core" : Group)}/{Version}";
}
