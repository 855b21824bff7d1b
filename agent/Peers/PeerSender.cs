using System.Threading.Channels;
using DataCluster.Kube.Watch;
using DataCluster.Replication.Messages;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
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
/// step at a time, so the loop's state needs no locks. The loop connects only while it has
/// something to send, so a peer that is gone costs nothing once its last messages expire.
/// Pipelined: a write waits for the connection (HTTP/2 flow control), never for a reply.
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
    private readonly Metadata _headers;
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

    private GrpcChannel? _channel;
    private Uri? _channelAddress;
    private int _failures;

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
        _headers = new Metadata
        {
            { "authorization", options.Token.HeaderValue },
            { PeerHeaders.To, peer },
            { PeerHeaders.From, options.Self },
        };
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
        if (!_queue.Writer.TryWrite(new Queued(message, _time.GetTimestamp())))
        {
            _metrics.ItemsDropped.Inc(_peer, DropReasons.Stopped, message.Items.Count);
        }
    }

    /// <summary>Stops the loop and closes the stream; queued messages are dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        _channel?.Dispose();
        _stop.Dispose();
    }

    private void OnDropped(Queued dropped)
    {
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
    /// One stream: opens the call, waits until the peer accepts it, then writes batches until the
    /// queue is completed (returns), the peer moves to another address (returns), or the stream
    /// fails (throws).
    /// </summary>
    private async Task StreamAsync(Uri address, CancellationToken token)
    {
        var client = new W.Peer.PeerClient(ChannelFor(address));
        using var call = client.Exchange(_headers, deadline: null, token);

        // The peer sends headers naming itself once it has accepted the stream. A refusal (401
        // from the gate, a wrong member) also comes as headers, without that name: its status
        // then says why. Nothing is taken from the queue before the stream is accepted.
        var headers = await call.ResponseHeadersAsync.WaitAsync(_options.ConnectTimeout, _time, token).ConfigureAwait(false);
        if (headers.GetValue(PeerHeaders.Accepted) != _peer)
        {
            await call.ResponseAsync.WaitAsync(_options.ConnectTimeout, _time, token).ConfigureAwait(false);
            throw new IOException("the peer did not accept the stream");
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

        while (true)
        {
            var batch = NextBatch(out var bytes);
            if (batch is null)
            {
                ReportDrops(force: false);
                var readable = _queue.Reader.WaitToReadAsync(token);
                if (!readable.IsCompleted)
                {
                    // Idle: wake for new messages, or as soon as the peer ends the stream, so the
                    // next message does not go into a stream that is already gone.
                    var waiting = readable.AsTask();
                    if (await Task.WhenAny(waiting, call.ResponseAsync).ConfigureAwait(false) != waiting)
                    {
                        await EndedAsync(call).ConfigureAwait(false);
                    }

                    readable = new ValueTask<bool>(waiting);
                }

                if (!await readable.ConfigureAwait(false))
                {
                    await call.RequestStream.CompleteAsync().ConfigureAwait(false);
                    return;
                }

                continue;
            }

            if (_resolve(_peer) is { } current && current != address)
            {
                // The pod restarted elsewhere: keep the batch for the new stream.
                Requeue(batch, bytes);
                PeerLog.AddressChanged(_logger, _peer, address.ToString(), current.ToString());
                await call.RequestStream.CompleteAsync().ConfigureAwait(false);
                return;
            }

            if (call.ResponseAsync.IsCompleted)
            {
                Requeue(batch, bytes);
                await EndedAsync(call).ConfigureAwait(false);
            }

            try
            {
                await call.RequestStream.WriteAsync(batch, token).ConfigureAwait(false);
            }
            catch (Exception) when (!token.IsCancellationRequested)
            {
                // Some of it may have reached the peer; resending could reorder, dropping cannot.
                _metrics.ItemsDropped.Inc(_peer, DropReasons.SendFailed, batch.Items.Count);
                throw;
            }

            _metrics.BatchesSent.Inc(_peer);
            _metrics.ItemsSent.Inc(_peer, "", batch.Items.Count);
            _metrics.BytesSent.Inc(_peer, "", bytes);
        }
    }

    /// <summary>Throws the reason the peer ended the stream (it never ends one normally while we write).</summary>
    private static async Task EndedAsync(AsyncClientStreamingCall<W.PeerBatch, W.ExchangeSummary> call)
    {
        await call.ResponseAsync.ConfigureAwait(false);
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
                // The item's field tag (one byte) plus its length-prefixed body.
                size = 1 + CodedOutputStream.ComputeMessageSize(item);
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
            if (!IsExpired(queued))
            {
                return true;
            }

            if (_queue.Reader.TryRead(out queued))
            {
                Expire(queued);
            }
        }

        return false;
    }

    private bool IsExpired(Queued queued) => _time.GetElapsedTime(queued.EnqueuedAt) > _options.MaxMessageAge;

    private void Expire(Queued queued)
    {
        _metrics.ItemsDropped.Inc(_peer, DropReasons.Expired, queued.Message.Items.Count);
        _unreportedExpired += queued.Message.Items.Count;
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

    private GrpcChannel ChannelFor(Uri address)
    {
        if (_channel is not null && _channelAddress == address)
        {
            return _channel;
        }

        _channel?.Dispose();
        _channelAddress = address;
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = _options.ConnectTimeout,
                KeepAlivePingDelay = _options.KeepAlivePingDelay,
                KeepAlivePingTimeout = _options.KeepAlivePingTimeout,
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                // One connection per pair of members, kept for as long as the process lives.
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                EnableMultipleHttp2Connections = false,
                // Peers talk directly: an HTTP(S)_PROXY in the pod's environment is for the app.
                UseProxy = false,
                AllowAutoRedirect = false,
                UseCookies = false,
            },
            DisposeHttpClient = true,
            MaxSendMessageSize = PeerTransportOptions.MaxMessageBytes,
            // The only response is the small summary at the end of a call.
            MaxReceiveMessageSize = 64 << 10,
        });
        return _channel;
    }

    private static string Describe(Exception e) => e switch
    {
        RpcException rpc => string.IsNullOrEmpty(rpc.Status.Detail) ? rpc.StatusCode.ToString() : $"{rpc.StatusCode}: {rpc.Status.Detail}",
        TimeoutException => "it did not answer in time",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private readonly record struct Queued(PeerMessage Message, long EnqueuedAt);
}
