using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataCluster.Kube;
using DataCluster.Kube.Models;
using Xunit;

namespace DataCluster.Kube.Tests.Models;

/// <summary>Small JSON helpers shared by the model tests.</summary>
internal static class Json
{
    public static JsonElement Element(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static JsonNode Node(string json) => JsonNode.Parse(json)!;

    public static JsonNode Node(byte[] utf8) => JsonNode.Parse(utf8)!;

    public static T Read<T>(ResourceType<T> type, string json) where T : class, IKubernetesObject =>
        type.Read(Element(json));

    public static JsonObject Write<T>(ResourceType<T> type, T value) where T : class, IKubernetesObject =>
        Node(type.Serialize(value)).AsObject();

    public static string Text(byte[] utf8) => Encoding.UTF8.GetString(utf8);

    /// <summary>The JSON paths of every explicit null in a document.</summary>
    public static List<string> NullPaths(JsonNode? node, string path = "$")
    {
        var found = new List<string>();
        switch (node)
        {
            case null:
                found.Add(path);
                break;
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    found.AddRange(NullPaths(child, $"{path}.{name}"));
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    found.AddRange(NullPaths(array[i], $"{path}[{i}]"));
                }

                break;
        }

        return found;
    }

    /// <summary>A copy without explicit nulls: what the models write back for a server document.</summary>
    public static JsonNode? WithoutNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (name, child) in obj)
                {
                    if (child is not null)
                    {
                        copy[name] = WithoutNulls(child);
                    }
                }

                return copy;
            case JsonArray array:
                return new JsonArray([.. array.Select(WithoutNulls)]);
            default:
                return node?.DeepClone();
        }
    }

    public static void Equal(JsonNode? expected, JsonNode? actual)
    {
        if (!JsonNode.DeepEquals(expected, actual))
        {
            var options = new JsonSerializerOptions { WriteIndented = true };
            Assert.Fail($"JSON differs.\nExpected:\n{expected?.ToJsonString(options)}\nActual:\n{actual?.ToJsonString(options)}");
        }
    }
}
