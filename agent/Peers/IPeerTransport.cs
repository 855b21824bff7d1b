using System.Threading.Channels;
using DataCluster.Replication;
using DataCluster.Replication.Messages;

namespace DataCluster.Agent.Peers;

/// <summary>A message a peer sent this member.</summary>
/// <param name="From">The sender's member id, as it names itself.</param>
/// <param name="Message">Its partition messages, in the order the sender produced them.</param>
public readonly record struct InboundMessage(string From, PeerMessage Message);

/// <summary>
/// Carries replication messages between the members of one cluster: what the replication loop
/// hands to <see cref="Send"/> arrives at the peer's <see cref="Inbound"/>, and what peers send
/// this member arrives here.
/// </summary>
/// <remarks>
/// <para><b>Thread safety.</b> Every member is safe to call from any thread.</para>
/// <para><b>Blocking.</b> <see cref="Send"/> never blocks and never throws for a slow, unreachable
/// or unknown peer: it queues and returns. Each destination has its own bounded queue, so one
/// slow peer holds up neither the caller nor the other peers.</para>
/// <para><b>Ordering.</b> The partition messages of the calls to <see cref="Send"/> for one
/// destination arrive in the order of those calls (calls made concurrently are ordered as the
/// queue took them). There is no order across destinations or across senders.</para>
/// <para><b>Loss.</b> Delivery is at most once and may have gaps: a full queue drops its oldest
/// message, a message older than the transport's age limit is dropped unsent, and a broken
/// connection loses what was in flight. Every drop is counted. The replication protocol resends
/// what matters (appends after <see cref="ReplicationOptions.RetransmitAfterMs"/>, prepares and
/// fetches after <see cref="ReplicationOptions.PrepareRetryMs"/>, heartbeats continuously), so a
/// gap costs time, never safety.</para>
/// <para><b>Boundaries.</b> Message boundaries are not kept: the items of consecutive messages to
/// one peer may arrive merged into one <see cref="InboundMessage"/> or split across several, in
/// the same order. Nothing in a <see cref="PeerMessage"/> depends on its boundaries.</para>
/// </remarks>
public interface IPeerTransport
{
    /// <summary>Queues <paramref name="message"/> for <see cref="OutgoingMessage.To"/>. Non-blocking; see the interface remarks.</summary>
    /// <remarks>The message and its records must not change after the call (they are immutable types; their byte memory must not be reused).</remarks>
    void Send(OutgoingMessage message);

    /// <summary>
    /// Messages from peers, for one reader (the replication loop). Bounded: while it is full the
    /// receiving streams stop reading, TCP flow control holds the senders back, and their
    /// queues drop their oldest messages, so a slow loop sheds load at the senders.
    /// </summary>
    ChannelReader<InboundMessage> Inbound { get; }

    /// <summary>
    /// Called after a message lands in <see cref="Inbound"/>, on the thread that put it there: the
    /// replication loop's wake-up. Set once, before the loop starts; it must not block.
    /// </summary>
    Action? ArrivalSignal { get; set; }

    /// <summary>
    /// Where the replication loop can take over reading the receiving streams itself (one thread
    /// wake-up less per received batch), or null when this transport has none.
    /// </summary>
    PeerStreamPoll? StreamPoll => null;
}
