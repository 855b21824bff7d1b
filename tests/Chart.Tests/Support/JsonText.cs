using System.Text.Json.Nodes;

namespace DataCluster.Chart.Tests.Support;

/// <summary>JSON for comparing documents by content.</summary>
internal static class JsonText
{
    /// <summary>Compact JSON with object keys sorted at every level.</summary>
    public static string Canonical(JsonNode? node) => node switch
    {
        JsonObject map => "{" + string.Join(",", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{JsonValue.Create(p.Key).ToJsonString()}:{Canonical(p.Value)}")) + "}",
        JsonArray list => "[" + string.Join(",", list.Select(Canonical)) + "]",
        _ => node?.ToJsonString() ?? "null",
    };

    /// <summary>A JSON number as a long, however the node holds it (parsed, or created from an int or a long).</summary>
    public static long Integer(JsonNode? node) =>
        long.Parse(node?.ToJsonString() ?? throw new ArgumentNullException(nameof(node)), System.Globalization.CultureInfo.InvariantCulture);
}
