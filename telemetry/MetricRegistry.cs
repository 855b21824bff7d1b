namespace DataCluster.Telemetry;

/// <summary>
/// The metrics of one process and their rendering in the Prometheus text format, served at
/// /metrics. Thread-safe; registering the same name twice returns the first family when its
/// type and labels match and throws otherwise.
/// </summary>
public sealed class MetricRegistry
{
    /// <summary>The content type of the text exposition format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly List<Action> _collectors = [];

    public Counter Counter(string name, string help, params string[] labelNames) =>
        Register(name, () => new Counter(name, help, labelNames), labelNames);

    public Gauge Gauge(string name, string help, params string[] labelNames) =>
        Register(name, () => new Gauge(name, help, labelNames), labelNames);

    public Histogram Histogram(string name, string help, double[]? buckets = null, params string[] labelNames) =>
        Register(name, () => new Histogram(name, help, labelNames, buckets), labelNames);

    /// <summary>Runs <paramref name="collect"/> before every scrape, to refresh gauges computed on demand.</summary>
    public void OnCollect(Action collect)
    {
        lock (_gate)
        {
            _collectors.Add(collect);
        }
    }

    /// <summary>Writes every family in the text exposition format, sorted by name.</summary>
    public void WriteTo(TextWriter writer)
    {
        List<Action> toRun;
        List<MetricFamily> snapshot;
        lock (_gate)
        {
            toRun = [.. _collectors];
        }

        foreach (var collect in toRun)
        {
            collect();
        }

        lock (_gate)
        {
            snapshot = [.. _families.Values];
        }

        foreach (var family in snapshot)
        {
            writer.Write("# HELP ");
            writer.Write(family.Name);
            writer.Write(' ');
            writer.Write(PrometheusText.EscapeHelp(family.Help));
            writer.Write("\n# TYPE ");
            writer.Write(family.Name);
            writer.Write(' ');
            writer.Write(family.Type);
            writer.Write('\n');
            family.Write(writer);
        }
    }

    public string Render()
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        WriteTo(writer);
        return writer.ToString();
    }

    private T Register<T>(string name, Func<T> create, string[] labelNames) where T : MetricFamily
    {
        lock (_gate)
        {
            if (_families.TryGetValue(name, out var existing))
            {
                if (existing is T same && same.LabelNames.SequenceEqual(labelNames))
                {
                    return same;
                }

                throw new InvalidOperationException($"Metric {name} is already registered as a {existing.Type} with labels ({string.Join(", ", existing.LabelNames)}).");
            }

            var family = create();
            _families[name] = family;
            return family;
        }
    }
}
