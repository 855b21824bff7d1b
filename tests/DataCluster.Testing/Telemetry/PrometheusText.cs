using System.Globalization;
using System.Text;

namespace DataCluster.Testing.Telemetry;

/// <summary>One sample line: its name (with a _bucket, _sum or _count suffix for histograms), labels and value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    /// <summary>The value of label <paramref name="name"/>, or null.</summary>
    public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;
}

/// <summary>A metric family: the name its # TYPE line gives, its type, help and samples.</summary>
public sealed record PrometheusFamily(string Name, string Type, string? Help, IReadOnlyList<PrometheusSample> Samples);

/// <summary>
/// A strict reader of the Prometheus text exposition format (version 0.0.4), for tests that
/// scrape /metrics: every sample must belong to a family declared by a # TYPE line before it
/// (a histogram's _bucket, _sum and _count samples belong to the histogram), label values are
/// unescaped, and anything else than comments, samples and blank lines is an error.
/// </summary>
public static class PrometheusText
{
    private static readonly string[] HistogramSuffixes = ["_bucket", "_sum", "_count"];

    /// <summary>The families of <paramref name="text"/> by name.</summary>
    /// <exception cref="FormatException">A line does not follow the format; the message quotes it.</exception>
    public static IReadOnlyDictionary<string, PrometheusFamily> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var helps = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new Dictionary<string, List<PrometheusSample>>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 4 && parts[1] == "TYPE")
                {
                    if (parts[3] is not ("counter" or "gauge" or "histogram" or "summary" or "untyped") || !types.TryAdd(parts[2], parts[3]))
                    {
                        throw new FormatException($"Bad or repeated TYPE line: {line}");
                    }

                    samples[parts[2]] = [];
                }
                else if (parts.Length >= 3 && parts[1] == "HELP")
                {
                    helps[parts[2]] = parts.Length == 4 ? parts[3].Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal) : "";
                }

                continue;
            }

            var sample = ParseSample(line);
            samples[FamilyOf(sample.Name, types, line)].Add(sample);
        }

        return types.ToDictionary(t => t.Key, t => new PrometheusFamily(t.Key, t.Value, helps.GetValueOrDefault(t.Key), samples[t.Key]), StringComparer.Ordinal);
    }

    private static string FamilyOf(string sampleName, Dictionary<string, string> types, string line)
    {
        if (types.ContainsKey(sampleName))
        {
            return sampleName;
        }

        foreach (var suffix in HistogramSuffixes)
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal)
                && types.TryGetValue(sampleName[..^suffix.Length], out var type) && type is "histogram" or "summary")
            {
                return sampleName[..^suffix.Length];
            }
        }

        throw new FormatException($"Sample of no declared family: {line}");
    }

    private static PrometheusSample ParseSample(string line)
    {
        var position = 0;
        while (position < line.Length && (char.IsAsciiLetterOrDigit(line[position]) || line[position] is '_' or ':'))
        {
            position++;
        }

        if (position == 0 || char.IsAsciiDigit(line[0]))
        {
            throw new FormatException($"Bad metric name: {line}");
        }

        var name = line[..position];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (position < line.Length && line[position] == '{')
        {
            position++;
            while (line[position] != '}')
            {
                var equals = line.IndexOf('=', position);
                if (equals < 0 || line[equals + 1] != '"')
                {
                    throw new FormatException($"Bad label: {line}");
                }

                var label = line[position..equals];
                var value = new StringBuilder();
                position = equals + 2;
                while (line[position] != '"')
                {
                    if (line[position] == '\\')
                    {
                        position++;
                        value.Append(line[position] switch
                        {
                            'n' => '\n',
                            '\\' => '\\',
                            '"' => '"',
                            _ => throw new FormatException($"Bad escape in a label value: {line}"),
                        });
                    }
                    else
                    {
                        value.Append(line[position]);
                    }

                    position++;
                }

                if (!labels.TryAdd(label, value.ToString()))
                {
                    throw new FormatException($"Label {label} repeated: {line}");
                }

                position++;
                if (line[position] == ',')
                {
                    position++;
                }
            }

            position++;
        }

        var rest = line[position..].Trim().Split(' ');
        if (rest.Length is < 1 or > 2 || !TryParseValue(rest[0], out var number))
        {
            throw new FormatException($"Bad sample value: {line}");
        }

        return new PrometheusSample(name, labels, number);
    }

    private static bool TryParseValue(string text, out double value)
    {
        switch (text)
        {
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            case "NaN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }
}
