using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>
/// intstr.IntOrString: a field that is either a number or a string on the wire, e.g. a port
/// (<c>8080</c> or <c>"http"</c>) or a budget (<c>1</c> or <c>"25%"</c>). The JSON form is kept
/// as sent: a number stays a number and a string stays a string, even "8080".
/// </summary>
[JsonConverter(typeof(IntOrStringConverter))]
public readonly struct IntOrString : IEquatable<IntOrString>
{
    private readonly string? _string;
    private readonly int _int;

    public IntOrString(int value)
    {
        _int = value;
        _string = null;
    }

    public IntOrString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _int = 0;
        _string = value;
    }

    /// <summary>True when the value is a number on the wire. The default value is the number 0.</summary>
    public bool IsInt => _string is null;

    /// <summary>The number; 0 when <see cref="IsInt"/> is false.</summary>
    public int IntValue => _int;

    /// <summary>The string; null when <see cref="IsInt"/> is true.</summary>
    public string? StringValue => _string;

    /// <summary>True for a string that ends in '%', e.g. "25%".</summary>
    public bool IsPercent => _string is not null && _string.EndsWith('%');

    public static implicit operator IntOrString(int value) => new(value);

    public static implicit operator IntOrString(string value) => new(value);

    public static IntOrString FromInt32(int value) => new(value);

    public static IntOrString FromString(string value) => new(value);

    /// <summary>
    /// Resolves the value against a total the way Kubernetes controllers do: a number is taken as
    /// is, "N%" is N percent of <paramref name="total"/>, rounded up or down as asked.
    /// </summary>
    /// <exception cref="FormatException">The value is a string that is not a percentage.</exception>
    public int GetScaledValue(int total, bool roundUp)
    {
        if (IsInt)
        {
            return _int;
        }

        if (!IsPercent || !int.TryParse(_string.AsSpan(0, _string!.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var percent))
        {
            throw new FormatException($"'{_string}' is neither a number nor a percentage such as \"25%\".");
        }

        var scaled = (long)percent * total;
        return (int)(roundUp ? (scaled + 99) / 100 : scaled / 100);
    }

    public bool Equals(IntOrString other) => _int == other._int && string.Equals(_string, other._string, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is IntOrString other && Equals(other);

    public override int GetHashCode() => IsInt ? _int.GetHashCode() : StringComparer.Ordinal.GetHashCode(_string!);

    public static bool operator ==(IntOrString left, IntOrString right) => left.Equals(right);

    public static bool operator !=(IntOrString left, IntOrString right) => !left.Equals(right);

    public override string ToString() => _string ?? _int.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Reads a JSON number or string into <see cref="IntOrString"/> and writes it back in the same form.</summary>
public sealed class IntOrStringConverter : JsonConverter<IntOrString>
{
    public override IntOrString Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        return reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt32(out var number) => new IntOrString(number),
            JsonTokenType.String => new IntOrString(reader.GetString()!),
            _ => throw new JsonException($"Expected an integer or a string, got {reader.TokenType}."),
        };
    }

    public override void Write(Utf8JsonWriter writer, IntOrString value, JsonSerializerOptions options)
    {
        if (value.IsInt)
        {
            writer.WriteNumberValue(value.IntValue);
        }
        else
        {
            writer.WriteStringValue(value.StringValue);
        }
    }
}
