using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace DataCluster.Kube.Models;

/// <summary>
/// Any object, typed only as far as apiVersion, kind and metadata. Every other top-level field
/// (spec, status, data, ...) lives in <see cref="KubeObject.ExtensionData"/> exactly as the server
/// sent it, so a read-modify-write keeps it. Use it for kinds without a model, through
/// <see cref="GenericResource.For"/>.
/// </summary>
public sealed class GenericObject : KubeObject
{
    /// <summary>A top-level field such as "spec", or null when absent.</summary>
    public JsonElement? GetField(string name)
    {
        CheckName(name);
        return ExtensionData is not null && ExtensionData.TryGetValue(name, out var value) ? value : null;
    }

    /// <summary>Sets a top-level field. <paramref name="value"/> should not depend on a disposed document; pass a clone.</summary>
    public void SetField(string name, JsonElement value)
    {
        CheckName(name);
        (ExtensionData ??= new(StringComparer.Ordinal))[name] = value;
    }

    /// <summary>Removes a top-level field; true when it was there.</summary>
    public bool RemoveField(string name)
    {
        CheckName(name);
        return ExtensionData is not null && ExtensionData.Remove(name);
    }

    /// <summary>
    /// A mutable copy of a top-level field, or null when absent. Changes to the copy take effect
    /// only when it is stored back with <see cref="SetNode"/>.
    /// </summary>
    public JsonNode? GetNode(string name)
    {
        var element = GetField(name);
        return element is null ? null : JsonNode.Parse(element.Value.GetRawText());
    }

    /// <summary>Stores a field from a node; a null node removes the field.</summary>
    public void SetNode(string name, JsonNode? value)
    {
        if (value is null)
        {
            RemoveField(name);
            return;
        }

        SetField(name, ToElement(value));
    }

    /// <summary>Reads a top-level field as a typed value through source-generated metadata.</summary>
    public T? GetField<T>(string name, JsonTypeInfo<T> typeInfo)
    {
        var element = GetField(name);
        return element is null ? default : element.Value.Deserialize(typeInfo);
    }

    /// <summary>Writes a top-level field from a typed value through source-generated metadata.</summary>
    public void SetField<T>(string name, T value, JsonTypeInfo<T> typeInfo) =>
        SetField(name, JsonSerializer.SerializeToElement(value, typeInfo));

    private static JsonElement ToElement(JsonNode node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            node.WriteTo(writer);
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }

    private static void CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name is "apiVersion" or "kind" or "metadata")
        {
            throw new ArgumentException($"'{name}' is a typed property of the object; set it there.", nameof(name));
        }
    }
}
