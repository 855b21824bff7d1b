namespace DataCluster.Telemetry;

/// <summary>
/// The current value of a gauge, set by the code that knows it and read by an observable
/// instrument at each collection (and by tests). Thread-safe; reads see the latest set.
/// </summary>
public sealed class GaugeValue
{
    private long _bits;

    public double Value => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _bits));

    public void Set(double value) => Interlocked.Exchange(ref _bits, BitConverter.DoubleToInt64Bits(value));
}
