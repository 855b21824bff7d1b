using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataCluster.Chart.Tests.GitOps;

/// <summary>
/// Writes a JSON document as a Lua table constructor, the way Argo CD hands an object to a health
/// check: objects become tables with string keys, arrays tables indexed from 1, null an absent
/// key. Pure.
/// </summary>
internal static class LuaTable
{
    public static string From(JsonNode? node)
    {
        var text = new StringBuilder();
        Write(node, text);
        return text.ToString();
    }

    private static void Write(JsonNode? node, StringBuilder text)
    {
        switch (node)
        {
            case null:
                text.Append("nil");
                break;
            case JsonObject map:
                text.Append('{');
                foreach (var (key, value) in map.Where(p => p.Value is not null))
                {
                    text.Append('[');
                    String(key, text);
                    text.Append("]=");
                    Write(value, text);
                    text.Append(',');
                }

                text.Append('}');
                break;
            case JsonArray list:
                text.Append('{');
                foreach (var item in list)
                {
                    Write(item, text);
                    text.Append(',');
                }

                text.Append('}');
                break;
            case JsonValue value:
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String:
                        String(value.GetValue<string>(), text);
                        break;
                    case JsonValueKind.True:
                        text.Append("true");
                        break;
                    case JsonValueKind.False:
                        text.Append("false");
                        break;
                    case JsonValueKind.Number:
                        text.Append(value.ToJsonString());
                        break;
                    default:
                        text.Append("nil");
                        break;
                }

                break;
        }
    }

    /// <summary>A double-quoted Lua string; bytes outside printable ASCII as decimal escapes, so any text survives.</summary>
    private static void String(string value, StringBuilder text)
    {
        text.Append('"');
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            switch (b)
            {
                case (byte)'"':
                    text.Append("\\\"");
                    break;
                case (byte)'\\':
                    text.Append("\\\\");
                    break;
                case >= 0x20 and < 0x7f:
                    text.Append((char)b);
                    break;
                default:
                    text.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
                    break;
            }
        }

        text.Append('"');
    }
}
