using System.Collections.Concurrent;
using System.Threading.Channels;
using DataCluster.Replication;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Peers;

/// <summary>Headers of the peer protocol's upgrade request and answer besides Authorization (see <c>peer.proto</c>).</summary>
public static class PeerHeaders
{
    /// <summary>The member id the caller means to reach; another member refuses the stream.</summary>
    public const string To = "datacluster-peer-to";

    /// <summary>The caller's member id, for the receiver's logs (batches carry it too).</summary>
    public const string From = "datacluster-peer-from";

    /// <summary>Response header: the receiver's member id, sent once it has accepted the stream.</summary>
    public const string Accepted = "datacluster-peer-accepted";
}

/// <summary>
/// The <see cref="IPeerTransport"/> of a running agent: one long-lived stream per destination
/// (an HTTP/1.1 connection upgraded to the peer protocol, <see cref="PeerStream"/>) carrying
/// batches of many partitions (<see cref="PeerSender"/>), and the receiving side
/// (<see cref="PeerListener"/>, on the peer port) feeding <see cref="Inbound"/>.
/// </summary>
/// <remarks>
/// Thread-safe; see <see cref="IPeerTransport"/> for blocking, ordering and loss. A sender is
/// created for a destination on its first message and lives until the transport is disposed;
/// it holds a connection only while it has something to send. Peer addresses come from the
/// resolver on every (re)connection and before each batch, so a member that moves to another
/// pod IP is followed at once.
/// </remarks>
public sealed class StreamPeerTransport : IPeerTransport, IAsyncDisposable
{
    private readonly PeerTransportOptions _options;
    private readonly Func<string, Uri?> _resolve;
    private readonly PeerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Lazy<PeerSender>> _senders = new(StringComparer.Ordinal);
    private readonly Channel<InboundMessage> _inbound;
    private readonly CancellationTokenSource _receiving = new();
    private int _disposed;

    /// <param name="options">Settings; must be valid (<see cref="PeerTransportOptions.Validate"/>).</param>
    /// <param name="resolve">
    /// The peer-port URL of a member id (<c>http://POD_IP:PEER_PORT</c>), or null when it has
    /// none now. Called often, from the senders' loops: it must be quick and thread-safe.
    /// </param>
    /// <param name="metrics">Where to count.</param>
    /// <param name="loggers">Logger factory.</param>
    /// <param name="time">The clock; null = the system clock.</param>
    public StreamPeerTransport(PeerTransportOptions options, Func<string, Uri?> resolve, PeerMetrics metrics, ILoggerFactory loggers, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(resolve);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(loggers);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"invalid peer transport options: {string.Join("; ", errors)}", nameof(options));
        }

        _options = options;
        _resolve = resolve;
        _metrics = metrics;
        _logger = loggers.CreateLogger("DataCluster.Agent.Peers");
        _time = time ?? TimeProvider.System;
        _inbound = Channel.CreateBounded<InboundMessage>(new BoundedChannelOptions(options.InboundCapacity)
        {
            // Wait, never drop: the receiving stream stops reading and the sender's queue sheds.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
        metrics.OnCollect(() =>
        {
            foreach (var (peer, sender) in _senders)
            {
                if (sender.IsValueCreated)
                {
                    metrics.QueueDepth.Set(sender.Value.Depth, peer);
                }
            }
        });
    }

    /// <summary>This member's id.</summary>
    public string Self => _options.Self;

    /// <summary>The token callers must present (the peer port's gate checks it).</summary>
    public PeerToken Token => _options.Token;

    public ChannelReader<InboundMessage> Inbound => _inbound.Reader;

    /// <summary>Ends when the agent stops: the receiving streams close so the server can stop at once.</summary>
    internal CancellationToken Receiving => _receiving.Token;

    internal PeerMetrics Metrics => _metrics;

    public void Send(OutgoingMessage message)
    {
        ArgumentException.ThrowIfNullOrEmpty(message.To, nameof(message));
        ArgumentNullException.ThrowIfNull(message.Message, nameof(message));
        if (message.Message.Items.Count == 0)
        {
            return;
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            _metrics.ItemsDropped.Inc(message.To, DropReasons.Stopped, message.Message.Items.Count);
            return;
        }

        var sender = _senders.GetOrAdd(message.To, static (peer, self) => new Lazy<PeerSender>(() => self.CreateSender(peer)), this);
        sender.Value.Enqueue(message.Message);
    }

    /// <summary>A peer opened a stream to this member: if the stream back to it is waiting to redial, it redials now.</summary>
    internal void PeerCalled(string peer)
    {
        if (_senders.TryGetValue(peer, out var sender) && sender.IsValueCreated)
        {
            sender.Value.Wake();
        }
    }

    /// <summary>
    /// Ends every receiving stream (their senders see the stream close and retry elsewhere or
    /// later) and makes new ones fail. Call when the agent begins to stop, so open streams do
    /// not hold the server's shutdown until its timeout.
    /// </summary>
    public void StopReceiving() => _receiving.Cancel();

    /// <summary>Stops receiving and every sender; queued messages are dropped. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _receiving.CancelAsync().ConfigureAwait(false);
        foreach (var sender in _senders.Values)
        {
            if (sender.IsValueCreated)
            {
                await sender.Value.DisposeAsync().ConfigureAwait(false);
            }
        }

        // _receiving is not disposed: a call still draining on the server may read its token,
        // and a source without timers holds nothing to release.
        _inbound.Writer.TryComplete();
    }

    /// <summary>Hands a received message to the replication loop; waits while <see cref="Inbound"/> is full.</summary>
    internal async ValueTask DeliverAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        if (!_inbound.Writer.TryWrite(message))
        {
            await _inbound.Writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }

        ArrivalSignal?.Invoke();
    }

    /// <summary>Hands a received message to the replication loop if <see cref="Inbound"/> has room; false when it is full.</summary>
    internal bool TryDeliver(InboundMessage message)
    {
        if (!_inbound.Writer.TryWrite(message))
        {
            return false;
        }

        ArrivalSignal?.Invoke();
        return true;
    }

    /// <inheritdoc/>
    public Action? ArrivalSignal { get; set; }

    /// <inheritdoc/>
    public PeerStreamPoll? StreamPoll { get; } = new();

    private PeerSender CreateSender(string peer) => new(peer, _options, _resolve, _metrics, _logger, _time);
}
