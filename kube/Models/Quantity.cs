using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>
/// resource.Quantity is modelled as its canonical string ("500m", "1Gi", "2"). The client never
/// does arithmetic on quantities, so a string keeps every value exactly as the server wrote it
/// and a read-modify-write cannot change "1000m" into "1".
/// </summary>
/// <remarks>
/// Built-in kinds always carry quantities as JSON strings. A quantity inside a custom resource
/// (for example a PodTemplateSpec embedded in a DataCluster) is stored as the user wrote it, and
/// YAML <c>cpu: 1</c> becomes the JSON number 1; <see cref="QuantityConverter"/> and
/// <see cref="QuantityMapConverter"/> accept that number and keep its exact text.
/// </remarks>
public static class Quantity
{
    internal static string ReadAsString(ref Utf8JsonReader reader)
    {
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString()!,
            // The raw token keeps the number's exact spelling ("1.5", "1e3").
            JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
            _ => throw new JsonException($"Expected a quantity (string or number), got {reader.TokenType}."),
        };
    }
}

/// <summary>A single quantity: accepts a JSON string or number, always writes a string.</summary>
public sealed class QuantityConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Quantity.ReadAsString(ref reader);

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}

/// <summary>
/// A resource list (requests, limits, capacity): resource name to quantity. Accepts JSON string
/// or number values, always writes strings.
/// </summary>
public sealed class QuantityMapConverter : JsonConverter<Dictionary<string, string>>
{
    public override Dictionary<string, string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"Expected a resource list object, got {reader.TokenType}.");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.Null)
            {
                result[name] = Quantity.ReadAsString(ref reader);
            }
        }

        return result;
    }

    public override void Write(Utf8JsonWriter writer, Dictionary<string, string> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (name, quantity) in value)
        {
            writer.WriteString(name, quantity);
        }

        writer.WriteEndObject();
    }
}
