using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using W = DataCluster.Agent.Peers.Wire;

namespace DataCluster.Agent.Peers;

/// <summary>
/// Reads one accepted peer stream (<see cref="PeerStream"/>): gathers its frames, decodes each
/// batch and hands it to <see cref="StreamPeerTransport.Inbound"/> in the order it arrived.
/// Either a thread of its own drives it with blocking receives (<see cref="Run"/>), or the
/// replication loop does, reading only what the connection already holds
/// (<see cref="ReadAvailable"/>, <see cref="PeerStreamPoll"/>). One thread at a time.
/// </summary>
internal sealed class PeerFrameReader
{
    /// <summary>Bytes asked of the connection per receive; a longer frame is gathered in a larger buffer.</summary>
    public const int BufferBytes = 64 << 10;

    private readonly StreamPeerTransport _transport;
    private readonly ILogger _logger;
    private readonly string _from;
    private readonly string _remote;
    private readonly Action<Socket> _release;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _toldUnknown;
    private bool _ended;

    // A decoded message the inbound queue had no room for; it goes before anything read after it.
    private InboundMessage? _held;

    /// <param name="socket">The upgraded connection.</param>
    /// <param name="buffer">Holds the bytes read after the request head, from <paramref name="start"/> to <paramref name="end"/>.</param>
    /// <param name="from">The caller's member id, for logs.</param>
    /// <param name="remote">The caller's address, for logs.</param>
    /// <param name="release">Called once when the stream ends, with the socket to close.</param>
    public PeerFrameReader(StreamPeerTransport transport, ILogger logger, Socket socket, byte[] buffer, int start, int end, string from, string remote, Action<Socket> release)
    {
        _transport = transport;
        _logger = logger;
        Socket = socket;
        _buffer = buffer;
        _start = start;
        _end = end;
        _from = from;
        _remote = remote;
        _release = release;
    }

    public Socket Socket { get; }

    /// <summary>True while a decoded message waits for room in the inbound queue.</summary>
    public bool Holding => _held is not null;

    /// <summary>
    /// Reads the stream until it ends, waiting for bytes and for room in the inbound queue, on
    /// the calling thread; the caller releases the connection afterwards.
    /// </summary>
    public void Run() => Pump(wait: true);

    /// <summary>
    /// Reads what the connection holds now, without waiting for bytes or for room in the inbound
    /// queue (a message without room is held for the next call). False once the stream has ended
    /// (closed, broken, a bad frame, the member stopping); it is released then.
    /// </summary>
    public bool ReadAvailable()
    {
        if (_ended)
        {
            return false;
        }

        try
        {
            if (Pump(wait: false))
            {
                return true;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Closed under it (the member stopping) or broken.
        }

        End();
        return false;
    }

    /// <summary>Releases the stream (idempotent).</summary>
    public void End()
    {
        if (!_ended)
        {
            _ended = true;
            _release(Socket);
        }
    }

    /// <summary>
    /// Delivers every whole frame and reads more. False when the stream ended; true (without
    /// <paramref name="wait"/> only) when the connection has nothing more now or the queue is full.
    /// </summary>
    private bool Pump(bool wait)
    {
        var metrics = _transport.Metrics;
        var drained = false;
        while (true)
        {
            if (_held is { } held)
            {
                if (!Deliver(held, wait))
                {
                    return true;
                }

                _held = null;
            }

            // Every whole frame read so far, in order; a partial one waits for more bytes.
            while (_end - _start >= PeerStream.PrefixBytes)
            {
                var size = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start));
                if (size is < 0 or > PeerTransportOptions.MaxMessageBytes)
                {
                    metrics.Rejected.Inc(RejectReasons.BadBatch);
                    PeerLog.BadBatch(_logger, _from, _remote, $"a frame of {size} bytes is outside 0 to {PeerTransportOptions.MaxMessageBytes}");
                    return false;
                }

                if (_end - _start - PeerStream.PrefixBytes < size)
                {
                    break;
                }

                InboundMessage message;
                int unknown;
                try
                {
                    message = PeerCodec.Decode(W.PeerBatch.Parser.ParseFrom(_buffer, _start + PeerStream.PrefixBytes, size), out unknown);
                }
                catch (Exception e) when (e is PeerProtocolException or Google.Protobuf.InvalidProtocolBufferException)
                {
                    metrics.Rejected.Inc(RejectReasons.BadBatch);
                    PeerLog.BadBatch(_logger, _from, _remote, e.Message);
                    return false;
                }

                _start += PeerStream.PrefixBytes + size;
                if (unknown > 0)
                {
                    metrics.Rejected.Inc(RejectReasons.UnknownMessage, "", unknown);
                    if (!_toldUnknown)
                    {
                        // Once per stream: a newer peer sends such messages with every batch.
                        PeerLog.UnknownMessages(_logger, _from, _remote, unknown);
                        _toldUnknown = true;
                    }
                }

                metrics.BatchesReceived.Inc(message.From);
                metrics.ItemsReceived.Inc(message.From, "", message.Message.Items.Count);
                if (!Deliver(message, wait))
                {
                    _held = message;
                    return true;
                }
            }

            if (drained)
            {
                // The last receive did not fill the room it had: the connection holds nothing more.
                return true;
            }

            _buffer = Compact(_buffer, ref _start, ref _end);
            var room = _buffer.Length - _end;
            int read;
            if (wait)
            {
                read = Socket.Receive(_buffer, _end, room, SocketFlags.None);
            }
            else
            {
                read = Socket.Receive(_buffer, _end, room, SocketFlags.None, out var error);
                if (error == SocketError.WouldBlock)
                {
                    return true;
                }

                if (error != SocketError.Success)
                {
                    return false;
                }
            }

            if (read == 0)
            {
                return false;
            }

            _end += read;
            drained = !wait && read < room;
        }
    }

    /// <summary>Hands a message to the inbound queue: waiting for room, or false when there is none and <paramref name="wait"/> is false.</summary>
    private bool Deliver(InboundMessage message, bool wait)
    {
        if (!wait)
        {
            return _transport.TryDeliver(message);
        }

        var delivered = _transport.DeliverAsync(message, _transport.Receiving);
        if (!delivered.IsCompletedSuccessfully)
        {
            // The inbound queue is full: stop reading until the loop takes some.
            delivered.AsTask().GetAwaiter().GetResult();
        }

        return true;
    }

    /// <summary>
    /// Moves the unread bytes to the buffer's start, into a larger buffer when the frame they
    /// begin is longer than the buffer (up to the largest frame allowed).
    /// </summary>
    private static byte[] Compact(byte[] buffer, ref int start, ref int end)
    {
        var unread = end - start;
        var needed = BufferBytes;
        if (unread >= PeerStream.PrefixBytes)
        {
            needed = Math.Max(needed, PeerStream.PrefixBytes + BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(start)));
        }

        var target = needed > buffer.Length ? new byte[needed] : buffer;
        if (start > 0 || target != buffer)
        {
            Buffer.BlockCopy(buffer, start, target, 0, unread);
            start = 0;
            end = unread;
        }

        if (target.Length > BufferBytes && unread == 0)
        {
            // The long frame is done: back to the usual size.
            target = new byte[BufferBytes];
        }

        return target;
    }
}
