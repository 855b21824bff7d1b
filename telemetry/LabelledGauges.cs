using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace DataCluster.Telemetry;

/// <summary>
/// Gauge values by the value of one label, read by an observable gauge at each collection
/// (<see cref="Measurements"/>) and by tests (<see cref="Value"/>). A label value once set stays
/// exported. Thread-safe.
/// </summary>
public sealed class LabelledGauges(string label)
{
    private readonly ConcurrentDictionary<string, GaugeValue> _values = new(StringComparer.Ordinal);

    /// <summary>Sets the value under label value <paramref name="labelValue"/>.</summary>
    public void Set(double value, string labelValue)
    {
        ArgumentNullException.ThrowIfNull(labelValue);
        _values.GetOrAdd(labelValue, static _ => new GaugeValue()).Set(value);
    }

    /// <summary>The value under <paramref name="labelValue"/>; 0 when never set.</summary>
    public double Value(string labelValue) => _values.TryGetValue(labelValue, out var value) ? value.Value : 0;

    /// <summary>One measurement per label value, for <c>Meter.CreateObservableGauge</c>.</summary>
    public IEnumerable<Measurement<double>> Measurements()
    {
        foreach (var (labelValue, value) in _values)
        {
            yield return new Measurement<double>(value.Value, new KeyValuePair<string, object?>(label, labelValue));
        }
    }
}
