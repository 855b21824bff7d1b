using Grpc.Core;
using Microsoft.Extensions.Logging;
using W = DataCluster.Agent.Peers.Wire;

namespace DataCluster.Agent.Peers;

/// <summary>
/// The receiving side of the peer protocol, served on the peer port only: each call is one
/// peer's stream of batches to this member, decoded and handed to
/// <see cref="GrpcPeerTransport.Inbound"/> in the order they arrive.
/// </summary>
/// <remarks>
/// Calls run concurrently, one per sending peer; each reads its stream sequentially, so the
/// order of one sender is kept. Requests reach this only after <see cref="PeerGate"/> checked
/// the token. When the inbound queue is full a call stops reading, and HTTP/2 flow control
/// holds that sender back.
/// </remarks>
internal sealed class PeerService(GrpcPeerTransport transport, ILoggerFactory loggers) : W.Peer.PeerBase
{
    private readonly ILogger _logger = loggers.CreateLogger("DataCluster.Agent.Peers");

    public override async Task<W.ExchangeSummary> Exchange(IAsyncStreamReader<W.PeerBatch> requestStream, ServerCallContext context)
    {
        var metrics = transport.Metrics;
        var self = transport.Self;
        var headers = context.RequestHeaders;
        var to = headers.GetValue(PeerHeaders.To);
        var claimed = headers.GetValue(PeerHeaders.From) ?? "(unnamed)";
        if (!string.Equals(to, self, StringComparison.Ordinal))
        {
            metrics.Rejected.Inc(RejectReasons.WrongMember);
            PeerLog.WrongMember(_logger, claimed, context.Peer, to ?? "(none)", self);
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"this is member {self}, not {to ?? "(none named)"}"));
        }

        if (transport.Receiving.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"member {self} is stopping"));
        }

        // Headers now, naming this member, tell the sender its stream is accepted; without them
        // it would learn only at the end of the call.
        await context.WriteResponseHeadersAsync(new Metadata { { PeerHeaders.Accepted, self } }).ConfigureAwait(false);
        transport.PeerCalled(claimed);
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, transport.Receiving);
        ulong batches = 0;
        var toldUnknown = false;
        try
        {
            while (await requestStream.MoveNext(ending.Token).ConfigureAwait(false))
            {
                InboundMessage message;
                int unknown;
                try
                {
                    message = PeerCodec.Decode(requestStream.Current, out unknown);
                }
                catch (PeerProtocolException e)
                {
                    metrics.Rejected.Inc(RejectReasons.BadBatch);
                    PeerLog.BadBatch(_logger, claimed, context.Peer, e.Message);
                    throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
                }

                if (unknown > 0)
                {
                    metrics.Rejected.Inc(RejectReasons.UnknownMessage, "", unknown);
                    if (!toldUnknown)
                    {
                        // Once per stream: a newer peer sends such messages with every batch.
                        PeerLog.UnknownMessages(_logger, claimed, context.Peer, unknown);
                        toldUnknown = true;
                    }
                }

                metrics.BatchesReceived.Inc(message.From);
                metrics.ItemsReceived.Inc(message.From, "", message.Message.Items.Count);
                await transport.DeliverAsync(message, ending.Token).ConfigureAwait(false);
                batches++;
            }
        }
        catch (OperationCanceledException) when (transport.Receiving.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"member {self} is stopping"));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && context.CancellationToken.IsCancellationRequested)
        {
            // The sender went away (closed, reset, or its connection died): nothing to answer.
        }

        return new W.ExchangeSummary { Batches = batches };
    }
}
