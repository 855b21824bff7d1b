using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace DataCluster.Operator.Tests;

/// <summary>JSON helpers for assertions.</summary>
internal static class Json
{
    /// <summary>Compact JSON with object keys sorted, so documents compare by content.</summary>
    public static string Canonical(JsonNode? node) => Sorted(node)?.ToJsonString() ?? "null";

    public static JsonNode? ToNode<T>(T value, JsonTypeInfo<T> typeInfo) => JsonSerializer.SerializeToNode(value, typeInfo);

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Sorted)]),
        JsonValue value => JsonNode.Parse(value.ToJsonString()),
        _ => null,
    };
}
