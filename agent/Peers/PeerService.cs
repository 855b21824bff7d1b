using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using W = DataCluster.Agent.Peers.Wire;

namespace DataCluster.Agent.Peers;

/// <summary>
/// The receiving side of the peer protocol, served on the peer port only: each upgraded
/// connection is one peer's stream of batches to this member (<see cref="PeerStream"/>),
/// decoded and handed to <see cref="StreamPeerTransport.Inbound"/> in the order they arrive.
/// </summary>
/// <remarks>
/// Streams run concurrently, one per sending peer; each reads its connection sequentially, so
/// the order of one sender is kept. Requests reach this only after <see cref="PeerGate"/>
/// checked the token. When the inbound queue is full a stream stops reading, and TCP flow
/// control holds that sender back.
/// </remarks>
internal sealed class PeerService(StreamPeerTransport transport, ILoggerFactory loggers)
{
    /// <summary>Bytes asked of the connection per read; a longer frame is gathered over several.</summary>
    private const int ReadBufferBytes = 64 << 10;

    private readonly ILogger _logger = loggers.CreateLogger("DataCluster.Agent.Peers");

    public async Task HandleAsync(HttpContext context)
    {
        var metrics = transport.Metrics;
        var self = transport.Self;
        var headers = context.Request.Headers;
        var to = headers[PeerHeaders.To].ToString();
        var claimed = headers[PeerHeaders.From].ToString() is { Length: > 0 } from ? from : "(unnamed)";
        var remote = context.Connection.RemoteIpAddress is { } ip ? $"{ip}:{context.Connection.RemotePort}" : "(unknown)";
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true } || !string.Equals(headers.Upgrade.ToString(), PeerStream.Protocol, StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            context.Response.Headers.Upgrade = PeerStream.Protocol;
            return;
        }

        if (!string.Equals(to, self, StringComparison.Ordinal))
        {
            metrics.Rejected.Inc(RejectReasons.WrongMember);
            PeerLog.WrongMember(_logger, claimed, remote, to.Length > 0 ? to : "(none)", self);
            context.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
            return;
        }

        if (transport.Receiving.IsCancellationRequested)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        // The answer names this member: the sender takes nothing from its queue before it sees that.
        context.Response.Headers[PeerHeaders.Accepted] = self;
        context.Response.Headers.Upgrade = PeerStream.Protocol;
        var stream = await upgrade.UpgradeAsync().ConfigureAwait(false);
        await using var _ = stream.ConfigureAwait(false);
        transport.PeerCalled(claimed);
        // Reads end with the connection (0 bytes at its close, an IOException at its reset) or
        // when this member stops; not with RequestAborted, which may fire as the sender closes,
        // before what it wrote last has been read.
        var token = transport.Receiving;
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: ReadBufferBytes, leaveOpen: true));
        var toldUnknown = false;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(token).ConfigureAwait(false);
                var frames = result.Buffer;

                // Every whole frame read so far, in order; a partial one waits for more bytes.
                while (frames.Length >= PeerStream.PrefixBytes)
                {
                    var size = FrameSize(frames);
                    if (size is < 0 or > PeerTransportOptions.MaxMessageBytes)
                    {
                        metrics.Rejected.Inc(RejectReasons.BadBatch);
                        PeerLog.BadBatch(_logger, claimed, remote, $"a frame of {size} bytes is outside 0 to {PeerTransportOptions.MaxMessageBytes}");
                        return;
                    }

                    if (frames.Length - PeerStream.PrefixBytes < size)
                    {
                        break;
                    }

                    InboundMessage message;
                    int unknown;
                    try
                    {
                        message = PeerCodec.Decode(W.PeerBatch.Parser.ParseFrom(frames.Slice(PeerStream.PrefixBytes, size)), out unknown);
                    }
                    catch (Exception e) when (e is PeerProtocolException or Google.Protobuf.InvalidProtocolBufferException)
                    {
                        metrics.Rejected.Inc(RejectReasons.BadBatch);
                        PeerLog.BadBatch(_logger, claimed, remote, e.Message);
                        return;
                    }

                    frames = frames.Slice(PeerStream.PrefixBytes + size);
                    if (unknown > 0)
                    {
                        metrics.Rejected.Inc(RejectReasons.UnknownMessage, "", unknown);
                        if (!toldUnknown)
                        {
                            // Once per stream: a newer peer sends such messages with every batch.
                            PeerLog.UnknownMessages(_logger, claimed, remote, unknown);
                            toldUnknown = true;
                        }
                    }

                    metrics.BatchesReceived.Inc(message.From);
                    metrics.ItemsReceived.Inc(message.From, "", message.Message.Items.Count);
                    await transport.DeliverAsync(message, token).ConfigureAwait(false);
                }

                reader.AdvanceTo(frames.Start, result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The sender went away (closed, reset, or its connection died), or this member is stopping.
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The length a frame's prefix announces (the decoded batch's bytes after it).</summary>
    private static int FrameSize(ReadOnlySequence<byte> frames)
    {
        Span<byte> prefix = stackalloc byte[PeerStream.PrefixBytes];
        frames.Slice(0, PeerStream.PrefixBytes).CopyTo(prefix);
        return BinaryPrimitives.ReadInt32BigEndian(prefix);
    }
}

