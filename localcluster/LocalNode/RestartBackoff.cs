namespace DataCluster.LocalCluster.LocalNode;

/// <summary>
/// The kubelet's CrashLoopBackOff for a container with restartPolicy Always: the first restart
/// waits <see cref="Initial"/>, each further one twice as long up to <see cref="Max"/>, and a
/// container that ran for twice <see cref="Max"/> before exiting starts over at
/// <see cref="Initial"/>. Pure and not thread-safe; one instance per container.
/// </summary>
/// <remarks>
/// The delay is what makes a crash observable: a process restarted at once would renew its
/// member Lease before the Lease expired, and the cluster would never fail over.
/// </remarks>
public sealed class RestartBackoff
{
    /// <summary>10 s, the kubelet's first CrashLoopBackOff delay.</summary>
    public static readonly TimeSpan DefaultInitial = TimeSpan.FromSeconds(10);

    /// <summary>5 min, the kubelet's cap.</summary>
    public static readonly TimeSpan DefaultMax = TimeSpan.FromMinutes(5);

    private TimeSpan _current = TimeSpan.Zero;

    public RestartBackoff(TimeSpan? initial = null, TimeSpan? max = null)
    {
        Initial = initial ?? DefaultInitial;
        Max = max ?? DefaultMax;
        if (Initial <= TimeSpan.Zero || Max < Initial)
        {
            throw new ArgumentOutOfRangeException(nameof(initial), $"Restart backoff needs 0 < initial <= max; got {Initial} and {Max}.");
        }
    }

    public TimeSpan Initial { get; }

    public TimeSpan Max { get; }

    /// <summary>The delay before restarting a container that ran for <paramref name="ranFor"/> and exited.</summary>
    public TimeSpan Next(TimeSpan ranFor)
    {
        if (_current == TimeSpan.Zero || ranFor >= Max * 2)
        {
            _current = Initial;
        }
        else
        {
            _current = _current * 2 > Max ? Max : _current * 2;
        }

        return _current;
    }
}
