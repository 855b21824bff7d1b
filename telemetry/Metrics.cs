using System.Globalization;

namespace DataCluster.Telemetry;

/// <summary>A metric family: name, help, type and labelled children. Thread-safe.</summary>
public abstract class MetricFamily
{
    private protected MetricFamily(string name, string help, string type, string[] labelNames)
    {
        PrometheusText.ValidateName(name);
        foreach (var label in labelNames)
        {
            PrometheusText.ValidateLabelName(label);
        }

        Name = name;
        Help = help;
        Type = type;
        LabelNames = labelNames;
    }

    public string Name { get; }

    public string Help { get; }

    public string Type { get; }

    public IReadOnlyList<string> LabelNames { get; }

    internal abstract void Write(TextWriter writer);

    private protected void CheckLabels(string[] values)
    {
        if (values.Length != LabelNames.Count)
        {
            throw new ArgumentException($"{Name} takes {LabelNames.Count} label values ({string.Join(", ", LabelNames)}) but got {values.Length}.", nameof(values));
        }
    }
}

/// <summary>Adds doubles atomically.</summary>
internal sealed class AtomicDouble
{
    private long _bits;

    public double Value => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _bits));

    public void Add(double amount)
    {
        while (true)
        {
            var seen = Interlocked.Read(ref _bits);
            var next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + amount);
            if (Interlocked.CompareExchange(ref _bits, next, seen) == seen)
            {
                return;
            }
        }
    }

    public void Set(double value) => Interlocked.Exchange(ref _bits, BitConverter.DoubleToInt64Bits(value));
}

/// <summary>A monotonically increasing count. Name it with a _total suffix.</summary>
public sealed class Counter : MetricFamily
{
    private readonly LabelledChildren<AtomicDouble> _children = new();

    internal Counter(string name, string help, string[] labelNames)
        : base(name, help, "counter", labelNames)
    {
    }

    public void Inc(double amount = 1, params string[] labels)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        CheckLabels(labels);
        _children.Get(labels, () => new AtomicDouble()).Add(amount);
    }

    public double Value(params string[] labels) => _children.TryGet(labels)?.Value ?? 0;

    internal override void Write(TextWriter writer)
    {
        foreach (var (labels, value) in _children.Snapshot())
        {
            PrometheusText.Sample(writer, Name, LabelNames, labels, value.Value);
        }
    }
}

/// <summary>A value that goes up and down.</summary>
public sealed class Gauge : MetricFamily
{
    private readonly LabelledChildren<AtomicDouble> _children = new();

    internal Gauge(string name, string help, string[] labelNames)
        : base(name, help, "gauge", labelNames)
    {
    }

    public void Set(double value, params string[] labels)
    {
        CheckLabels(labels);
        _children.Get(labels, () => new AtomicDouble()).Set(value);
    }

    public void Add(double amount, params string[] labels)
    {
        CheckLabels(labels);
        _children.Get(labels, () => new AtomicDouble()).Add(amount);
    }

    /// <summary>Drops the child with these labels (e.g. a member that left).</summary>
    public void Remove(params string[] labels) => _children.Remove(labels);

    public double Value(params string[] labels) => _children.TryGet(labels)?.Value ?? 0;

    internal override void Write(TextWriter writer)
    {
        foreach (var (labels, value) in _children.Snapshot())
        {
            PrometheusText.Sample(writer, Name, LabelNames, labels, value.Value);
        }
    }
}

/// <summary>Observations counted into cumulative buckets, with their sum and count.</summary>
public sealed class Histogram : MetricFamily
{
    /// <summary>Seconds, 1 ms to 10 s: request and reconcile latencies fall in this range.</summary>
    public static readonly double[] DefaultBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly double[] _buckets;
    private readonly LabelledChildren<Series> _children = new();

    internal Histogram(string name, string help, string[] labelNames, double[]? buckets)
        : base(name, help, "histogram", labelNames)
    {
        _buckets = buckets ?? DefaultBuckets;
        if (_buckets.Length == 0 || _buckets.Zip(_buckets.Skip(1)).Any(p => p.First >= p.Second))
        {
            throw new ArgumentException($"{name}: buckets must be non-empty and strictly increasing.", nameof(buckets));
        }
    }

    public void Observe(double value, params string[] labels)
    {
        CheckLabels(labels);
        _children.Get(labels, () => new Series(_buckets.Length)).Observe(_buckets, value);
    }

    /// <summary>Number of observations with these labels.</summary>
    public long Count(params string[] labels) => _children.TryGet(labels)?.Count ?? 0;

    internal override void Write(TextWriter writer)
    {
        var leNames = LabelNames.Append("le").ToArray();
        foreach (var (labels, series) in _children.Snapshot())
        {
            long cumulative = 0;
            for (var i = 0; i < _buckets.Length; i++)
            {
                cumulative += Interlocked.Read(ref series.Buckets[i]);
                PrometheusText.Sample(writer, Name + "_bucket", leNames, [.. labels, PrometheusText.FormatValue(_buckets[i])], cumulative);
            }

            PrometheusText.Sample(writer, Name + "_bucket", leNames, [.. labels, "+Inf"], series.Count);
            PrometheusText.Sample(writer, Name + "_sum", LabelNames, labels, series.Sum.Value);
            PrometheusText.Sample(writer, Name + "_count", LabelNames, labels, series.Count);
        }
    }

    private sealed class Series(int bucketCount)
    {
        public readonly long[] Buckets = new long[bucketCount];
        public readonly AtomicDouble Sum = new();
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public void Observe(double[] bounds, double value)
        {
            var index = Array.FindIndex(bounds, b => value <= b);
            if (index >= 0)
            {
                Interlocked.Increment(ref Buckets[index]);
            }

            Sum.Add(value);
            Interlocked.Increment(ref _count);
        }
    }
}

/// <summary>Children of a family keyed by their label values.</summary>
internal sealed class LabelledChildren<TChild> where TChild : class
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (string[] Labels, TChild Child)> _children = new(StringComparer.Ordinal);

    public TChild Get(string[] labels, Func<TChild> create)
    {
        var key = string.Join('\u0001', labels);
        lock (_gate)
        {
            if (!_children.TryGetValue(key, out var entry))
            {
                entry = ([.. labels], create());
                _children[key] = entry;
            }

            return entry.Child;
        }
    }

    public TChild? TryGet(string[] labels)
    {
        lock (_gate)
        {
            return _children.TryGetValue(string.Join('\u0001', labels), out var entry) ? entry.Child : null;
        }
    }

    public void Remove(string[] labels)
    {
        lock (_gate)
        {
            _children.Remove(string.Join('\u0001', labels));
        }
    }

    public List<(string[] Labels, TChild Child)> Snapshot()
    {
        lock (_gate)
        {
            return [.. _children.Values.OrderBy(e => string.Join('\u0001', e.Labels), StringComparer.Ordinal)];
        }
    }
}

/// <summary>Formatting rules of the Prometheus text exposition format (version 0.0.4).</summary>
internal static class PrometheusText
{
    public static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || !IsNameStart(name[0]) || !name.All(c => IsNameStart(c) || char.IsAsciiDigit(c)))
        {
            throw new ArgumentException($"'{name}' is not a valid metric name: use [a-zA-Z_:][a-zA-Z0-9_:]*.", nameof(name));
        }
    }

    public static void ValidateLabelName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.StartsWith("__", StringComparison.Ordinal) || name == "le"
            || !(char.IsAsciiLetter(name[0]) || name[0] == '_') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ArgumentException($"'{name}' is not a valid label name: use [a-zA-Z_][a-zA-Z0-9_]*, not starting with __ and not 'le'.", nameof(name));
        }
    }

    public static void Sample(TextWriter writer, string name, IReadOnlyList<string> labelNames, string[] labelValues, double value)
    {
        writer.Write(name);
        if (labelNames.Count > 0)
        {
            writer.Write('{');
            for (var i = 0; i < labelNames.Count; i++)
            {
                if (i > 0)
                {
                    writer.Write(',');
                }

                writer.Write(labelNames[i]);
                writer.Write("=\"");
                writer.Write(EscapeLabelValue(labelValues[i]));
                writer.Write('"');
            }

            writer.Write('}');
        }

        writer.Write(' ');
        writer.Write(FormatValue(value));
        writer.Write('\n');
    }

    public static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    public static string EscapeHelp(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_' || c == ':';
}
