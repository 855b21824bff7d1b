using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DataCluster.Operator.Crd;

/// <summary>
/// Writes a JSON document as block-style YAML with object keys sorted ordinally, so the output
/// depends only on the content. Strings are written plain when that cannot change their type or
/// meaning and double-quoted otherwise; every line ends in LF.
/// </summary>
internal static class YamlWriter
{
    private const int Indent = 2;

    // Plain scalars that YAML 1.1 or 1.2 would read as something other than a string.
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n",
    };

    public static string Write(JsonElement document)
    {
        var output = new StringBuilder();
        switch (document.ValueKind)
        {
            case JsonValueKind.Object when HasProperties(document):
                WriteMapping(document, 0, output);
                break;
            case JsonValueKind.Array when document.GetArrayLength() > 0:
                WriteSequence(document, 0, output);
                break;
            default:
                output.Append(Scalar(document)).Append('\n');
                break;
        }

        return output.ToString();
    }

    private static void WriteMapping(JsonElement mapping, int indent, StringBuilder output, bool firstLineIndented = true)
    {
        var first = true;
        foreach (var property in mapping.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (!first || firstLineIndented)
            {
                output.Append(' ', indent);
            }

            first = false;
            output.Append(Text(property.Name)).Append(':');
            WriteValue(property.Value, indent, output);
        }
    }

    private static void WriteSequence(JsonElement sequence, int indent, StringBuilder output)
    {
        foreach (var item in sequence.EnumerateArray())
        {
            output.Append(' ', indent).Append('-');
            switch (item.ValueKind)
            {
                case JsonValueKind.Object when HasProperties(item):
                    // The item's first key shares the dash's line; the rest line up under it.
                    output.Append(' ');
                    WriteMapping(item, indent + Indent, output, firstLineIndented: false);
                    break;
                case JsonValueKind.Array when item.GetArrayLength() > 0:
                    output.Append('\n');
                    WriteSequence(item, indent + Indent, output);
                    break;
                default:
                    output.Append(' ').Append(Scalar(item)).Append('\n');
                    break;
            }
        }
    }

    private static void WriteValue(JsonElement value, int indent, StringBuilder output)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object when HasProperties(value):
                output.Append('\n');
                WriteMapping(value, indent + Indent, output);
                break;
            case JsonValueKind.Array when value.GetArrayLength() > 0:
                // Sequences under a key sit at the key's indentation, as kubectl writes them.
                output.Append('\n');
                WriteSequence(value, indent, output);
                break;
            default:
                output.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static bool HasProperties(JsonElement element) => element.EnumerateObject().Any();

    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "{}",
        JsonValueKind.Array => "[]",
        JsonValueKind.String => Text(value.GetString()!),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => "null",
    };

    private static string Text(string text) => IsPlainSafe(text) ? text : Quoted(text);

    /// <summary>
    /// Conservative: anything that could start a YAML construct, look like another type or
    /// contain a mapping/comment indicator is quoted.
    /// </summary>
    private static bool IsPlainSafe(string text)
    {
        if (text.Length == 0 || Reserved.Contains(text) || text[0] == ' ' || text[^1] == ' ' || text[^1] == ':')
        {
            return false;
        }

        // Indicators, and everything a number, date or special float could start with.
        if ("-?:,[]{}#&*!|>'\"%@`+.0123456789".Contains(text[0], StringComparison.Ordinal))
        {
            return false;
        }

        if (text.Contains(": ", StringComparison.Ordinal) || text.Contains(" #", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c < 0x20 || c > 0x7e || c is '{' or '}' or '[' or ']' or ',' or '"' or '\\')
            {
                return false;
            }
        }

        return true;
    }

    private static string Quoted(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"':
                    quoted.Append("\\\"");
                    break;
                case '\\':
                    quoted.Append("\\\\");
                    break;
                case '\n':
                    quoted.Append("\\n");
                    break;
                case '\t':
                    quoted.Append("\\t");
                    break;
                case '\r':
                    quoted.Append("\\r");
                    break;
                case < ' ' or '\u007f':
                    quoted.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    break;
                default:
                    quoted.Append(c);
                    break;
            }
        }

        return quoted.Append('"').ToString();
    }
}
