using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace DataCluster.ChartReadme;

/// <summary>One documented value: its dotted path, schema type, default (as JSON) and description.</summary>
public sealed record ValueRow(string Path, string Type, string Default, string Description);

/// <summary>
/// The values table of a chart's README. A value's documentation is the block of comment lines
/// directly above its key in values.yaml (a blank line in between detaches a comment); its type
/// comes from values.schema.json, its default from values.yaml itself. A map documented as a
/// whole (resources, affinity) is one row; its keys need no comments of their own. Pure.
/// </summary>
public static partial class ValuesTable
{
    /// <summary>The line before the table in the README.</summary>
    public const string StartMarker = "<!-- values: generated from values.yaml and values.schema.json by `make generate`; do not edit by hand -->";

    /// <summary>The line after the table.</summary>
    public const string EndMarker = "<!-- end of values -->";

    /// <summary>The documented values in file order.</summary>
    /// <exception cref="InvalidOperationException">A documented value has no type in the schema; the message names it.</exception>
    public static IReadOnlyList<ValueRow> Rows(string valuesYaml, string schemaJson)
    {
        var values = ToJson(valuesYaml);
        var schema = JsonNode.Parse(schemaJson)!.AsObject();
        var rows = new List<ValueRow>();
        foreach (var (path, description) in Comments(valuesYaml))
        {
            var value = At(values, path);
            var type = TypeOf(schema, path) ?? throw new InvalidOperationException($"values.schema.json gives no type for {path}: add it under properties.");
            rows.Add(new ValueRow(path, type, value?.ToJsonString() ?? "null", description));
        }

        return rows;
    }

    /// <summary>Values that are neither documented nor maps whose every key is: each needs a comment.</summary>
    public static IReadOnlyList<string> Undocumented(string valuesYaml)
    {
        var documented = Comments(valuesYaml).Select(c => c.Path).ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        void Walk(JsonNode? node, string path)
        {
            if (documented.Contains(path))
            {
                return;
            }

            if (node is JsonObject { Count: > 0 } map)
            {
                foreach (var (key, child) in map)
                {
                    Walk(child, path.Length == 0 ? key : $"{path}.{key}");
                }
            }
            else
            {
                missing.Add(path);
            }
        }

        Walk(ToJson(valuesYaml), "");
        return missing;
    }

    /// <summary>The Markdown table.</summary>
    public static string Markdown(IEnumerable<ValueRow> rows)
    {
        var text = new StringBuilder();
        text.Append("| value | type | default | description |\n|---|---|---|---|\n");
        foreach (var row in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| `{Cell(row.Path)}` | {Cell(row.Type)} | `{Cell(row.Default)}` | {Cell(row.Description)} |\n");
        }

        return text.ToString();
    }

    /// <summary><paramref name="readme"/> with the text between the markers replaced by <paramref name="table"/>.</summary>
    /// <exception cref="InvalidOperationException">The README lacks the markers.</exception>
    public static string Update(string readme, string table)
    {
        var start = readme.IndexOf(StartMarker, StringComparison.Ordinal);
        var end = readme.IndexOf(EndMarker, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new InvalidOperationException($"The README has no values table between the lines\n{StartMarker}\n{EndMarker}");
        }

        return readme[..(start + StartMarker.Length)] + "\n" + table + readme[end..];
    }

    /// <summary>(dotted path, comment text) for every key with a comment block directly above it, in file order.</summary>
    private static List<(string Path, string Description)> Comments(string valuesYaml)
    {
        var result = new List<(string, string)>();
        var keys = new List<(int Indent, string Key)>();
        var pending = new List<string>();
        foreach (var raw in valuesYaml.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var trimmed = line.TrimStart();
            var indent = line.Length - trimmed.Length;
            if (trimmed.Length == 0)
            {
                pending.Clear();
            }
            else if (trimmed.StartsWith('#'))
            {
                pending.Add(trimmed.TrimStart('#').Trim());
            }
            else if (Key().Match(trimmed) is { Success: true } key)
            {
                keys.RemoveAll(k => k.Indent >= indent);
                keys.Add((indent, key.Groups[1].Value));
                if (pending.Count > 0)
                {
                    result.Add((string.Join('.', keys.Select(k => k.Key)), string.Join(' ', pending)));
                }

                pending.Clear();
            }
            else
            {
                // A list item or a continuation line: a comment above it documents no key.
                pending.Clear();
            }
        }

        return result;
    }

    private static JsonNode? At(JsonNode? node, string path)
    {
        foreach (var key in path.Split('.'))
        {
            node = node is JsonObject map && map.TryGetPropertyValue(key, out var child) ? child : null;
        }

        return node;
    }

    private static string? TypeOf(JsonObject schema, string path)
    {
        JsonNode? node = schema;
        foreach (var key in path.Split('.'))
        {
            node = Resolve(schema, node)?["properties"]?[key];
        }

        return Resolve(schema, node)?["type"] switch
        {
            JsonValue single => single.GetValue<string>(),
            JsonArray several => string.Join(" or ", several.Select(t => t!.GetValue<string>())),
            _ => null,
        };
    }

    /// <summary>Follows a local "$ref" (#/definitions/NAME).</summary>
    private static JsonNode? Resolve(JsonObject schema, JsonNode? node)
    {
        while (node?["$ref"] is JsonValue reference)
        {
            node = schema["definitions"]?[reference.GetValue<string>()["#/definitions/".Length..]];
        }

        return node;
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    /// <summary>values.yaml as JSON, with YAML's plain scalars typed as Helm reads them.</summary>
    private static JsonNode? ToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(pair =>
            KeyValuePair.Create(((YamlScalarNode)pair.Key).Value ?? "", Convert(pair.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(Convert)]),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } scalar => Plain(scalar.Value ?? ""),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? ""),
        _ => throw new InvalidOperationException($"values.yaml uses {node.NodeType} at {node.Start}, which the table cannot show."),
    };

    private static JsonNode? Plain(string text) => text switch
    {
        "" or "~" or "null" => null,
        "true" or "false" => JsonValue.Create(text == "true"),
        _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) => JsonValue.Create(integer),
        _ when Number().IsMatch(text) => JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(text),
    };

    [GeneratedRegex(@"^([A-Za-z0-9_.-]+):(\s|$)")]
    private static partial Regex Key();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Number();
}
