namespace DataCluster.Telemetry;

/// <summary>
/// A monotonic count kept by the code that counts, read by an observable counter at each
/// collection (and by tests). Being a field rather than a <c>Counter&lt;T&gt;</c> it is exported as
/// zero from the first collection, so <c>rate()</c> and alerts see a series before the first
/// event, and nothing counted before the meter provider starts is lost. Thread-safe.
/// </summary>
public sealed class CountValue
{
    private long _count;

    public long Value => Interlocked.Read(ref _count);

    public void Inc(long amount = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        Interlocked.Add(ref _count, amount);
    }
}
