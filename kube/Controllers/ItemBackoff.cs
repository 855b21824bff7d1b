namespace DataCluster.Kube.Controllers;

/// <summary>
/// Per-item exponential backoff for failed reconciles: base × 2^(failures-1), capped.
/// Thread-safe.
/// </summary>
public sealed class ItemBackoff<T>(TimeSpan baseDelay, TimeSpan maxDelay) where T : notnull
{
    // 5 ms first retry catches the common case (a conflict on a fresh read); 5 min cap keeps a
    // persistently failing object retried a dozen times an hour without hammering the API server.
    public static readonly TimeSpan DefaultBase = TimeSpan.FromMilliseconds(5);
    public static readonly TimeSpan DefaultMax = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private readonly Dictionary<T, int> _failures = [];

    public ItemBackoff()
        : this(DefaultBase, DefaultMax)
    {
    }

    /// <summary>Records one more failure of <paramref name="item"/> and returns how long to wait.</summary>
    public TimeSpan Next(T item)
    {
        int count;
        lock (_gate)
        {
            _failures.TryGetValue(item, out count);
            _failures[item] = ++count;
        }

        // 2^62 would overflow the TimeSpan; beyond 2^30 × base we are at the cap anyway.
        var factor = Math.Pow(2, Math.Min(count - 1, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(baseDelay.Ticks * factor, maxDelay.Ticks));
        return delay;
    }

    /// <summary>How many failures in a row <paramref name="item"/> has.</summary>
    public int Failures(T item)
    {
        lock (_gate)
        {
            return _failures.GetValueOrDefault(item);
        }
    }

    /// <summary>Forgets the failures of <paramref name="item"/> (it succeeded).</summary>
    public void Forget(T item)
    {
        lock (_gate)
        {
            _failures.Remove(item);
        }
    }
}
