using System.Buffers;
using System.Net.Sockets;
using System.Threading.Channels;
using DataCluster.Kube.Watch;
using DataCluster.Replication.Messages;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using W = DataCluster.Agent.Peers.Wire;

namespace DataCluster.Agent.Peers;

/// <summary>
/// Everything this member sends one peer: a bounded queue that drops its oldest message when
/// full, and one loop that connects, writes the queue in order as batches on one long-lived
/// stream, and reconnects with backoff when the stream fails.
/// </summary>
/// <remarks>
/// <see cref="Enqueue"/> is thread-safe and never blocks. Everything else runs on the loop, one
/// step at a time; the loop and a direct send take turns through one flag, so the loop's state
/// needs no locks. The loop connects only while it has
/// something to send, so a peer that is gone costs nothing once its last messages expire.
/// Pipelined: a write waits for the connection (TCP flow control), never for a reply. When the
/// stream is open and idle, <see cref="Enqueue"/> writes the message itself (one non-blocking
/// system call on the caller's thread) instead of waking the loop.
/// </remarks>
internal sealed class PeerSender : IAsyncDisposable
{
    /// <summary>
    /// Drops are logged at most this often per peer (they are counted always). 30 s keeps an
    /// outage of one peer to a few lines while still showing that it goes on.
    /// </summary>
    private static readonly TimeSpan DropReportInterval = TimeSpan.FromSeconds(30);

    /// <summary>Room for the batch's sender id and framing next to one item that fills a message.</summary>
    private const int BatchOverhead = 1024;

    private readonly string _self;
    private readonly string _peer;
    private readonly PeerTransportOptions _options;
    private readonly Func<string, Uri?> _resolve;
    private readonly PeerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<Queued> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Backoff _backoff;
    private readonly Task _running;

    private long _unreportedFull;
    private long _unreportedExpired;
    private long _lastDropReport;

    // Loop state, in send order: a batch built but not written (its stream ended first), an
    // encoded item that did not fit the last batch, and a message not all of whose items did.
    private W.PeerBatch? _unwritten;
    private long _unwrittenBytes;
    private PeerMessage? _partial;
    private int _partialNext;
    private W.PartitionMessage? _held;
    private int _heldSize;

    private int _failures;

    // Who writes to the connection: 1 while the loop or a direct send (from Enqueue) does, 0 when
    // nobody does. The loop holds it whenever it has something of its own to send or no open
    // stream; it lets go only when everything queued is written. Whoever holds it may touch the
    // stream and the loop state above.
    private int _writing = 1;

    // The accepted stream's connection while the loop is in its write phase; null otherwise.
    private Socket? _open;
    private Task<int>? _ended;
    private Uri? _openAddress;

    // The unsent end of a frame a direct send wrote only in part (the connection's buffer was
    // full); the loop writes it before anything else.
    private ArraySegment<byte> _rest;

    // Completed by Wake: the peer is reachable again, so the backoff wait ends at once.
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PeerSender(string peer, PeerTransportOptions options, Func<string, Uri?> resolve, PeerMetrics metrics, ILogger logger, TimeProvider time)
    {
        _self = options.Self;
        _peer = peer;
        _options = options;
        _resolve = resolve;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _backoff = new Backoff(options.InitialBackoff, options.MaxBackoff);
        _queue = Channel.CreateBounded<Queued>(
            new BoundedChannelOptions(options.QueueCapacity)
            {
                // The newest message carries the freshest state (commit point, term, records the
                // follower lacks); the oldest is the one most likely superseded already.
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                SingleWriter = false,
            },
            OnDropped);
        _lastDropReport = time.GetTimestamp();
        _running = Task.Run(RunAsync);
    }

    /// <summary>Messages waiting (for the queue-depth metric).</summary>
    public int Depth => _queue.Reader.Count;

    /// <summary>Queues a message. Thread-safe, never blocks; a full queue drops its oldest message.</summary>
    public void Enqueue(PeerMessage message)
    {
        if (TrySendNow(message))
        {
            return;
        }

        if (!_queue.Writer.TryWrite(new Queued(message, _time.GetTimestamp())))
        {
            _metrics.ItemsDropped.Inc(_peer, DropReasons.Stopped, message.Items.Count);
        }
    }

    /// <summary>
    /// Writes <paramref name="message"/> to the open stream on the caller's thread when nothing
    /// is waiting before it and nobody else is writing: one system call instead of waking the
    /// loop, which is most of a message's cost when the sender keeps up. False when the message
    /// must go through the queue.
    /// </summary>
    private bool TrySendNow(PeerMessage message)
    {
        if (Volatile.Read(ref _open) is null || _queue.Reader.Count > 0 || Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
        {
            return false;
        }

        try
        {
            if (_open is not { } socket || _queue.Reader.Count > 0 || _rest.Array is not null || _ended is not { IsCompleted: false }
                || _resolve(_peer) != _openAddress || Encode(message) is not { } batch)
            {
                return false;
            }

            var frame = PeerStream.Frame(batch.Batch, out var length);
            var sent = socket.Send(frame, 0, length, SocketFlags.None, out var error);
            if (error is not (SocketError.Success or SocketError.WouldBlock))
            {
                // The connection failed; the loop sees it end and redials. Some of it may have
                // reached the peer, so it is not sent again (that could reorder).
                ArrayPool<byte>.Shared.Return(frame);
                _metrics.ItemsDropped.Inc(_peer, DropReasons.SendFailed, message.Items.Count);
                return true;
            }

            CountSent(message.Items.Count, batch.Bytes);
            if (sent == length)
            {
                ArrayPool<byte>.Shared.Return(frame);
                return true;
            }

            // The connection's buffer is full: the loop writes the rest, and then what queues behind it.
            var written = Math.Max(sent, 0);
            _rest = new ArraySegment<byte>(frame, written, length - written);
            _queue.Writer.TryWrite(default);
            return true;
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    /// <summary>One wire batch of all of <paramref name="message"/>'s items and their size, or null when that is over a batch (the loop splits it, or drops and logs an item too big to send).</summary>
    private (W.PeerBatch Batch, long Bytes)? Encode(PeerMessage message)
    {
        var batch = PeerCodec.Encode(_self, message);
        long bytes = 0;
        foreach (var item in batch.Items)
        {
            bytes += ItemSize(item);
        }

        return bytes > _options.MaxBatchBytes ? null : (batch, bytes);
    }

    /// <summary>An item's bytes in a batch: its field tag (one byte) plus its length-prefixed body.</summary>
    private static int ItemSize(W.PartitionMessage item) => 1 + CodedOutputStream.ComputeMessageSize(item);

    private void CountSent(int items, long bytes)
    {
        _metrics.BatchesSent.Inc(_peer);
        _metrics.ItemsSent.Inc(_peer, "", items);
        _metrics.BytesSent.Inc(_peer, "", bytes);
    }

    /// <summary>Takes the right to write from a direct send in progress (it ends within a system call).</summary>
    private void Hold()
    {
        var spin = new SpinWait();
        while (Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
        {
            spin.SpinOnce();
        }
    }

    /// <summary>Stops the loop and closes the stream; queued messages are dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        _stop.Dispose();
    }

    private void OnDropped(Queued dropped)
    {
        if (dropped.Message is null)
        {
            return;
        }

        // Runs on the caller of Enqueue: count only, the loop logs.
        _metrics.ItemsDropped.Inc(_peer, DropReasons.QueueFull, dropped.Message.Items.Count);
        Interlocked.Add(ref _unreportedFull, dropped.Message.Items.Count);
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        try
        {
            while (true)
            {
                if (!HasPending())
                {
                    if (!await _queue.Reader.WaitToReadAsync(token).ConfigureAwait(false))
                    {
                        return;
                    }

                    continue;
                }

                ReportDrops(force: false);
                var address = _resolve(_peer);
                string reason;
                if (address is null)
                {
                    reason = "the ring lists no address for it";
                }
                else
                {
                    try
                    {
                        await StreamAsync(address, token).ConfigureAwait(false);
                        continue;
                    }
                    catch (Exception e) when (!token.IsCancellationRequested)
                    {
                        reason = Describe(e);
                    }
                }

                _metrics.Connected.Set(0, _peer);
                _metrics.StreamFailures.Inc(_peer);
                _failures++;
                var delay = _backoff.Next();
                var where = address?.ToString() ?? "(no address)";
                if (_failures == 1)
                {
                    PeerLog.Unreachable(_logger, _peer, where, reason, (long)delay.TotalMilliseconds);
                }
                else
                {
                    PeerLog.StillUnreachable(_logger, _peer, where, _failures, reason, (long)delay.TotalMilliseconds);
                }

                await WaitOrWakeAsync(delay, token).ConfigureAwait(false);
            }
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            // Stopped: whatever the stream was doing ends with the cancellation.
        }
        finally
        {
            _metrics.Connected.Set(0, _peer);
        }
    }

    /// <summary>
    /// Ends a backoff wait now and starts the next one from the shortest delay: the peer has just
    /// opened its own stream to this member, so it is up (a restarted member is redialled at once
    /// instead of after up to <see cref="PeerTransportOptions.MaxBackoff"/>, while its new
    /// leaderships wait for the answers this stream carries). No effect while a stream is open.
    /// </summary>
    public void Wake() => Volatile.Read(ref _wake).TrySetResult();

    private async Task WaitOrWakeAsync(TimeSpan delay, CancellationToken token)
    {
        var wake = Volatile.Read(ref _wake);
        if (!wake.Task.IsCompleted)
        {
            await Task.WhenAny(Task.Delay(delay, _time, token), wake.Task).ConfigureAwait(false);
            token.ThrowIfCancellationRequested();
        }

        if (wake.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), wake);
            _backoff.Reset();
        }
    }

    /// <summary>
    /// One stream: connects, asks the peer to upgrade the connection to the peer protocol, then
    /// writes batches until the queue is completed (returns), the peer moves to another address
    /// (returns), or the stream fails (throws).
    /// </summary>
    private async Task StreamAsync(Uri address, CancellationToken token)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        PeerStream.KeepAlive(socket, _options.KeepAliveDelay, _options.KeepAliveTimeout, bounded: true);
        using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(token))
        {
            connecting.CancelAfter(_options.ConnectTimeout);
            try
            {
                await socket.ConnectAsync(address.Host, address.Port, connecting.Token).ConfigureAwait(false);
                await PeerStream.SendAllAsync(socket, PeerStream.Request(address, _options.Token, _peer, _self), connecting.Token).ConfigureAwait(false);

                // The peer names itself once it has accepted the stream; a refusal (401 from the
                // gate, a wrong member, a stopping agent) is any other answer. Nothing is taken
                // from the queue before the stream is accepted.
                var (status, accepted, reason) = await PeerStream.ReadHeadAsync(socket, connecting.Token).ConfigureAwait(false);
                if (status != 101 || accepted != _peer)
                {
                    throw new IOException(Refusal(status, reason, accepted));
                }
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                throw new TimeoutException();
            }
        }

        _metrics.Connected.Set(1, _peer);
        if (_failures > 0)
        {
            PeerLog.Reconnected(_logger, _peer, address.ToString(), _failures);
        }
        else
        {
            PeerLog.Connected(_logger, _peer, address.ToString());
        }

        _failures = 0;
        _backoff.Reset();

        // The receiver never writes after its answer: a read that completes means it closed.
        var ended = socket.ReceiveAsync(new byte[1], SocketFlags.None, token).AsTask();
        socket.Blocking = false;
        (_ended, _openAddress) = (ended, address);
        Volatile.Write(ref _open, socket);
        var holding = true;
        try
        {
            while (true)
            {
                if (_rest is { Array: { } rest } unsent)
                {
                    try
                    {
                        await PeerStream.SendAllAsync(socket, unsent, token).ConfigureAwait(false);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(rest);
                        _rest = default;
                    }

                    continue;
                }

                var batch = NextBatch(out var bytes);
                if (batch is null)
                {
                    ReportDrops(force: false);

                    // Idle: direct sends may write until something queues again.
                    Volatile.Write(ref _writing, 0);
                    holding = false;
                    var readable = _queue.Reader.WaitToReadAsync(token);
                    if (!readable.IsCompleted)
                    {
                        // Wake for new messages, or as soon as the peer ends the stream, so the
                        // next message does not go into a stream that is already gone.
                        var waiting = readable.AsTask();
                        if (await Task.WhenAny(waiting, ended).ConfigureAwait(false) != waiting)
                        {
                            await EndedAsync(ended).ConfigureAwait(false);
                        }

                        readable = new ValueTask<bool>(waiting);
                    }

                    var more = await readable.ConfigureAwait(false);
                    Hold();
                    holding = true;
                    if (!more)
                    {
                        socket.Shutdown(SocketShutdown.Send);
                        return;
                    }

                    continue;
                }

                if (_resolve(_peer) is { } current && current != address)
                {
                    // The pod restarted elsewhere: keep the batch for the new stream.
                    Requeue(batch, bytes);
                    PeerLog.AddressChanged(_logger, _peer, address.ToString(), current.ToString());
                    return;
                }

                if (ended.IsCompleted)
                {
                    Requeue(batch, bytes);
                    await EndedAsync(ended).ConfigureAwait(false);
                }

                var frame = PeerStream.Frame(batch, out var length);
                try
                {
                    await PeerStream.SendAllAsync(socket, frame.AsMemory(0, length), token).ConfigureAwait(false);
                }
                catch (Exception) when (!token.IsCancellationRequested)
                {
                    // Some of it may have reached the peer; resending could reorder, dropping cannot.
                    _metrics.ItemsDropped.Inc(_peer, DropReasons.SendFailed, batch.Items.Count);
                    throw;
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(frame);
                }

                CountSent(batch.Items.Count, bytes);
            }
        }
        finally
        {
            // No direct send may use the connection once it is closed.
            if (!holding)
            {
                Hold();
            }

            Volatile.Write(ref _open, null);
            (_ended, _openAddress) = (null, null);
            if (_rest.Array is { } unsent)
            {
                ArrayPool<byte>.Shared.Return(unsent);
                _rest = default;
            }
        }
    }

    /// <summary>Throws the reason the peer ended the stream (it never ends one normally while we write).</summary>
    private static async Task EndedAsync(Task<int> ended)
    {
        await ended.ConfigureAwait(false);
        throw new IOException("the peer ended the stream");
    }

    /// <summary>
    /// The next wire batch: queued messages merged while the batch stays under
    /// <see cref="PeerTransportOptions.MaxBatchBytes"/>, a larger message split at item boundaries.
    /// Null when nothing is waiting.
    /// </summary>
    private W.PeerBatch? NextBatch(out long bytes)
    {
        if (_unwritten is { } unwritten)
        {
            bytes = _unwrittenBytes;
            _unwritten = null;
            return unwritten;
        }

        W.PeerBatch? batch = null;
        bytes = 0;
        while (true)
        {
            W.PartitionMessage item;
            int size;
            if (_held is not null)
            {
                (item, size) = (_held, _heldSize);
                _held = null;
            }
            else
            {
                if (_partial is null || _partialNext >= _partial.Items.Count)
                {
                    _partial = TakeFresh();
                    _partialNext = 0;
                    if (_partial is null)
                    {
                        break;
                    }

                    continue;
                }

                var source = _partial.Items[_partialNext++];
                item = PeerCodec.Encode(source);
                size = ItemSize(item);
                if (size > PeerTransportOptions.MaxMessageBytes - BatchOverhead)
                {
                    _metrics.ItemsDropped.Inc(_peer, DropReasons.Oversized, 1);
                    PeerLog.Oversized(_logger, source.GetType().Name, source.Partition, _peer, size, PeerTransportOptions.MaxMessageBytes);
                    continue;
                }
            }

            if (batch is not null && bytes + size > _options.MaxBatchBytes)
            {
                (_held, _heldSize) = (item, size);
                break;
            }

            batch ??= new W.PeerBatch { From = _self };
            batch.Items.Add(item);
            bytes += size;
        }

        return batch;
    }

    /// <summary>Puts the batch <see cref="NextBatch"/> just built, unwritten, in front of everything else.</summary>
    private void Requeue(W.PeerBatch batch, long bytes) => (_unwritten, _unwrittenBytes) = (batch, bytes);

    private PeerMessage? TakeFresh()
    {
        while (_queue.Reader.TryRead(out var queued))
        {
            if (queued.Message is null)
            {
                continue;
            }

            if (IsExpired(queued))
            {
                Expire(queued);
                continue;
            }

            return queued.Message;
        }

        return null;
    }

    /// <summary>True when something is waiting to be sent; drops expired messages at the head first.</summary>
    private bool HasPending()
    {
        if (_unwritten is not null || _held is not null || (_partial is not null && _partialNext < _partial.Items.Count))
        {
            return true;
        }

        while (_queue.Reader.TryPeek(out var queued))
        {
            if (queued.Message is not null && !IsExpired(queued))
            {
                return true;
            }

            if (_queue.Reader.TryRead(out queued) && queued.Message is not null)
            {
                Expire(queued);
            }
        }

        return false;
    }

    private bool IsExpired(Queued queued) => _time.GetElapsedTime(queued.EnqueuedAt) > _options.MaxMessageAge;

    private void Expire(Queued queued)
    {
        _metrics.ItemsDropped.Inc(_peer, DropReasons.Expired, queued.Message!.Items.Count);
        _unreportedExpired += queued.Message!.Items.Count;
    }

    private void ReportDrops(bool force)
    {
        if (!force && _time.GetElapsedTime(_lastDropReport) < DropReportInterval)
        {
            return;
        }

        var full = Interlocked.Exchange(ref _unreportedFull, 0);
        var expired = _unreportedExpired;
        _unreportedExpired = 0;
        if (full > 0)
        {
            PeerLog.Dropped(_logger, _peer, full, "its queue was full; the oldest went first");
        }

        if (expired > 0)
        {
            PeerLog.Dropped(_logger, _peer, expired, $"they waited over {_options.MaxMessageAge.TotalSeconds:0.#} s");
        }

        _lastDropReport = _time.GetTimestamp();
    }

    private string Refusal(int status, string reason, string? accepted) => status switch
    {
        101 => $"HTTP 101, but the stream was accepted by {accepted ?? "(nobody named)"}, not {_peer}",
        401 => "HTTP 401: it refuses this member's peer token (does it belong to another cluster, or was the peer Secret replaced?)",
        421 => $"HTTP 421: that address now belongs to another member than {_peer}",
        503 => "HTTP 503: it is stopping",
        _ => $"HTTP {status} {reason}: it does not take the peer protocol {PeerStream.Protocol} at {PeerStream.Path} (another program, or {PeerStream.OtherProtocol})",
    };

    private static string Describe(Exception e) => e switch
    {
        SocketException socket => $"{socket.SocketErrorCode}: {socket.Message}",
        IOException io => io.Message,
        TimeoutException => "it did not answer in time",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    /// <summary>A queued message; a default one (no message) only wakes the loop to write what a direct send left.</summary>
    private readonly record struct Queued(PeerMessage? Message, long EnqueuedAt);
}
