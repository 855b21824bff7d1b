using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace DataCluster.Telemetry;

/// <summary>
/// Counts by the values of one or two labels, read by an observable counter at each collection
/// (<see cref="Measurements"/>) and by tests (<see cref="Value"/>). Label values seen once stay
/// exported. Thread-safe; counting allocates only for a label combination seen for the first time.
/// </summary>
public sealed class LabelledCounts
{
    private readonly string _first;
    private readonly string? _second;
    private readonly ConcurrentDictionary<(string First, string Second), CountValue> _counts = new();

    /// <summary>Counts by <paramref name="first"/> and, when given, <paramref name="second"/>.</summary>
    public LabelledCounts(string first, string? second = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(first);
        _first = first;
        _second = second;
    }

    /// <summary>Counts one event with label value <paramref name="first"/> (one-label counts only).</summary>
    public void Inc(string first) => Inc(first, "");

    /// <summary>Adds <paramref name="amount"/> (zero makes the series exist) under these label values.</summary>
    public void Inc(string first, string second, long amount = 1)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (_second is null != (second.Length == 0))
        {
            throw new ArgumentException(_second is null ? $"The counts are by {_first} alone." : $"The counts are by {_first} and {_second}.", nameof(second));
        }

        _counts.GetOrAdd((first, second), static _ => new CountValue()).Inc(amount);
    }

    /// <summary>The count under these label values; 0 when never counted.</summary>
    public long Value(string first, string second = "") =>
        _counts.TryGetValue((first, second), out var count) ? count.Value : 0;

    /// <summary>One measurement per label combination, for <c>Meter.CreateObservableCounter</c>.</summary>
    public IEnumerable<Measurement<long>> Measurements()
    {
        foreach (var ((first, second), count) in _counts)
        {
            yield return _second is null
                ? new Measurement<long>(count.Value, new KeyValuePair<string, object?>(_first, first))
                : new Measurement<long>(count.Value, new KeyValuePair<string, object?>(_first, first), new KeyValuePair<string, object?>(_second, second));
        }
    }
}
