namespace DataCluster.Agent.Peers;

/// <summary>
/// Settings of the peer transport. The defaults suit one cluster on one network; tests shorten
/// the timings. Immutable.
/// </summary>
public sealed record PeerTransportOptions
{
    /// <summary>
    /// Most bytes of one frame the receiver accepts (a batch of many partitions; a longer frame
    /// closes the stream). 64 MiB is far above one append (the
    /// replication layer caps an append at 1 MiB plus one record) and bounds what a faulty peer
    /// can make this member allocate at once. A sender never writes a bigger batch: it drops an
    /// item that alone exceeds this and logs it.
    /// </summary>
    public const int MaxMessageBytes = 64 << 20;

    /// <summary>This member's id (its pod name): the sender id on its batches, and the id a caller must mean to reach.</summary>
    public required string Self { get; init; }

    /// <summary>The token presented to peers and required of them.</summary>
    public required PeerToken Token { get; init; }

    /// <summary>
    /// Messages queued per destination before the oldest is dropped. 256: the replication loop
    /// emits about two messages per peer per step, so this holds well over the 500 ms after which
    /// the protocol resends unacknowledged appends anyway; queued messages share their records'
    /// memory with the log, so the bound costs little.
    /// </summary>
    public int QueueCapacity { get; init; } = 256;

    /// <summary>
    /// Target size of one wire batch: queued messages are merged up to it and a larger message is
    /// split at item boundaries. 4 MiB amortises the per-batch cost (a flush, a frame header, one
    /// channel write at the receiver) while one batch still decodes in about a millisecond.
    /// </summary>
    public int MaxBatchBytes { get; init; } = 4 << 20;

    /// <summary>
    /// A queued message older than this is dropped unsent. 5 s is ten of the protocol's
    /// retransmission intervals: by then whatever it said has been said again or no longer
    /// matters, and a peer coming back is not flooded with stale traffic.
    /// </summary>
    public TimeSpan MaxMessageAge { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// First wait after a failed connection. 100 ms: a peer restarting its container comes back on
    /// the same address within a second or two, and the replication layer calls a peer down after
    /// 1 s of silence, so the first retries come quickly.
    /// </summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Longest wait between attempts (doubling from <see cref="InitialBackoff"/>, with jitter).
    /// 2 s: a dead peer then costs one connection attempt every two seconds, and a peer that comes
    /// back is reached within two seconds, well inside the 7 s failover target.
    /// </summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long to wait for a TCP connection and then for the peer to accept the call. Inside one
    /// cluster both take milliseconds; a peer that has not answered in 3 s is down as far as
    /// replication is concerned (it calls a peer down after 1 s), and a connect to an address
    /// that no longer exists would otherwise hang for the kernel's SYN retries (over a minute).
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The sender's TCP keepalive probes the connection after this long without traffic, and
    /// data the peer has not acknowledged after this plus <see cref="KeepAliveTimeout"/>
    /// closes it (<c>TCP_USER_TIMEOUT</c>). A peer whose host vanished sends no reset; without
    /// them its stream would swallow writes until TCP gave up, many minutes later. 5 s plus 5 s
    /// notices such a peer within about 10 s, while a peer stalled by a long GC pause (its
    /// kernel still acknowledges) is not cut off. Whole seconds.
    /// </summary>
    public TimeSpan KeepAliveDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long keepalive probes or sent data may go unanswered before the connection is closed and redialled; see <see cref="KeepAliveDelay"/>. Whole seconds.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Received batches waiting for the replication loop. 1024: several steps' worth from every
    /// peer; when it is full the receiving streams stop reading and the load is shed at the
    /// senders' queues, which drop their oldest messages.
    /// </summary>
    public int InboundCapacity { get; init; } = 1024;

    /// <summary>Problems with these settings, each saying how to fix it; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(Self))
        {
            errors.Add($"{nameof(Self)} is empty; set this member's id (its pod name)");
        }

        if (QueueCapacity < 1)
        {
            errors.Add($"{nameof(QueueCapacity)} is {QueueCapacity}; set 1 or more messages");
        }

        if (InboundCapacity < 1)
        {
            errors.Add($"{nameof(InboundCapacity)} is {InboundCapacity}; set 1 or more batches");
        }

        if (MaxBatchBytes is < 1 or > MaxMessageBytes)
        {
            errors.Add($"{nameof(MaxBatchBytes)} is {MaxBatchBytes}; set 1 to {MaxMessageBytes} bytes");
        }

        foreach (var (name, value) in new[]
        {
            (nameof(MaxMessageAge), MaxMessageAge),
            (nameof(InitialBackoff), InitialBackoff),
            (nameof(ConnectTimeout), ConnectTimeout),
            (nameof(KeepAliveDelay), KeepAliveDelay),
            (nameof(KeepAliveTimeout), KeepAliveTimeout),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"{name} is {value}; set a positive duration");
            }
        }

        if (MaxBackoff < InitialBackoff)
        {
            errors.Add($"{nameof(MaxBackoff)} ({MaxBackoff}) is below {nameof(InitialBackoff)} ({InitialBackoff}); set it at least as long");
        }

        return errors;
    }
}
