using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>
/// metav1.Time: RFC 3339 in UTC with whole seconds, e.g. 2024-01-02T03:04:05Z, which is how the
/// API server writes and stores it. Registered for every <see cref="DateTimeOffset"/> of the
/// context, so a timestamp read from the server is written back byte for byte (the default
/// converter would write "+00:00" and fractions, and a diff against the server's JSON would show
/// changes nobody made). Reading accepts any RFC 3339 form.
/// </summary>
/// <remarks>MicroTime fields (Lease times, Event eventTime) use <see cref="MicroTimeConverter"/> instead.</remarks>
public sealed class TimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String
            ? reader.GetString()
            : throw new JsonException($"Expected an RFC 3339 time string, got {reader.TokenType}.");
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            throw new JsonException($"'{text}' is not an RFC 3339 time.");
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
}
