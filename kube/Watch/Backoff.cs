namespace DataCluster.Kube.Watch;

/// <summary>
/// Exponential backoff with jitter: attempt n waits a random time in
/// [d/2, d] where d = min(<see cref="Max"/>, <see cref="Initial"/> * 2^n). Not thread-safe;
/// one instance per retry loop.
/// </summary>
/// <remarks>
/// The jitter matters after an API server restart: every watcher of every pod lost its
/// connection at the same instant, and without it they would all reconnect in lock-step waves.
/// Drawing from the upper half of the interval keeps the growth exponential while spreading them.
/// </remarks>
public sealed class Backoff
{
    /// <summary>
    /// 500 ms: short enough that a blip (a connection reset by a load balancer) costs nothing
    /// noticeable, long enough that a refused connection is not retried in a hot loop.
    /// </summary>
    public static readonly TimeSpan DefaultInitial = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// 30 s: an API server restart takes seconds to a minute; retrying at least twice a minute
    /// keeps recovery prompt while a fleet of pods adds little load to a struggling server.
    /// </summary>
    public static readonly TimeSpan DefaultMax = TimeSpan.FromSeconds(30);

    private readonly Random _random;
    private int _attempt;

    public Backoff(TimeSpan? initial = null, TimeSpan? max = null, Random? random = null)
    {
        Initial = initial ?? DefaultInitial;
        Max = max ?? DefaultMax;
        if (Initial <= TimeSpan.Zero || Max < Initial)
        {
            throw new ArgumentOutOfRangeException(nameof(initial), $"Backoff needs 0 < initial <= max; got {Initial} and {Max}.");
        }

        _random = random ?? Random.Shared;
    }

    public TimeSpan Initial { get; }

    public TimeSpan Max { get; }

    /// <summary>Failed attempts since the last <see cref="Reset"/>.</summary>
    public int Attempts => _attempt;

    /// <summary>The delay before the next attempt; each call counts one more failure.</summary>
    public TimeSpan Next()
    {
        // Cap the exponent so the multiplication cannot overflow before Max applies.
        var exponent = Math.Min(_attempt, 30);
        _attempt++;
        var ceiling = Math.Min(Max.TotalMilliseconds, Initial.TotalMilliseconds * Math.Pow(2, exponent));
        var delay = ceiling / 2 + (_random.NextDouble() * ceiling / 2);
        return TimeSpan.FromMilliseconds(delay);
    }

    /// <summary>Success: the next failure starts again from <see cref="Initial"/>.</summary>
    public void Reset() => _attempt = 0;
}
