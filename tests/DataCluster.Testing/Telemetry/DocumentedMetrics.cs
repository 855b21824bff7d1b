using System.Text.RegularExpressions;

namespace DataCluster.Testing.Telemetry;

/// <summary>A metric as a document lists it: the exposed name, its labels and its Prometheus type.</summary>
public sealed record DocumentedMetric(string Name, IReadOnlyList<string> Labels, string Type);

/// <summary>
/// Reads the metric tables of the documentation (agent/README.md, docs/operator.md): rows whose
/// first cell is <c>`name{label,...}`</c> and whose second cell is the type, also when the table
/// is indented under a list item, so tests check that what /metrics serves is what the documents
/// promise.
/// </summary>
public static partial class DocumentedMetrics
{
    /// <summary>Every metric row in the file at <paramref name="path"/> whose name starts with <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<DocumentedMetric> Read(string path, string prefix)
    {
        var metrics = new List<DocumentedMetric>();
        foreach (var line in File.ReadLines(path))
        {
            var row = Row().Match(line);
            if (row.Success && row.Groups["name"].Value.StartsWith(prefix, StringComparison.Ordinal))
            {
                var labels = row.Groups["labels"].Success ? row.Groups["labels"].Value.Split(',', StringSplitOptions.TrimEntries) : [];
                metrics.Add(new DocumentedMetric(row.Groups["name"].Value, labels, row.Groups["type"].Value));
            }
        }

        return metrics.Count > 0 ? metrics : throw new InvalidOperationException($"No metric table rows for {prefix}* in {path}.");
    }

    [GeneratedRegex(@"^\s*\| `(?<name>[a-z_:][a-z0-9_:]*)(\{(?<labels>[a-z_, ]+)\})?` \| (?<type>counter|gauge|histogram) \|")]
    private static partial Regex Row();
}
