using System.Collections.Concurrent;
using System.Threading.Channels;
using DataCluster.Replication;

namespace DataCluster.Agent.Peers;

/// <summary>
/// Members in one process exchanging messages through memory, each with an
/// <see cref="IPeerTransport"/> that keeps the contract of <see cref="StreamPeerTransport"/>:
/// non-blocking sends, order per destination, loss instead of waiting. For tests of the agent
/// that need several members but no sockets.
/// </summary>
/// <remarks>
/// Thread-safe. A message is delivered at once, into the destination's bounded inbound queue
/// (which drops its oldest message when full); a message to a member that has not joined, has
/// left, or is cut off (<see cref="SetReachable"/>) is dropped. Messages are passed by reference,
/// as they are immutable.
/// </remarks>
public sealed class InMemoryPeerNetwork
{
    /// <summary>Inbound messages held per member before the oldest is dropped. 1024 matches the stream transport's inbound bound.</summary>
    public const int DefaultInboundCapacity = 1024;

    private readonly ConcurrentDictionary<string, InMemoryPeerTransport> _members = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _unreachable = new(StringComparer.Ordinal);

    /// <summary>The transport of <paramref name="member"/>, created on its first call.</summary>
    public InMemoryPeerTransport Join(string member, int inboundCapacity = DefaultInboundCapacity)
    {
        ArgumentException.ThrowIfNullOrEmpty(member);
        return _members.GetOrAdd(member, static (id, state) => new InMemoryPeerTransport(state.Network, id, state.Capacity), (Network: this, Capacity: inboundCapacity));
    }

    /// <summary>Removes a member: messages to it are dropped and its inbound reader completes.</summary>
    public void Leave(string member)
    {
        if (_members.TryRemove(member, out var transport))
        {
            transport.Complete();
        }
    }

    /// <summary>Cuts a member off (false) or reconnects it (true): while cut off, everything it sends or is sent is dropped.</summary>
    public void SetReachable(string member, bool reachable)
    {
        if (reachable)
        {
            _unreachable.TryRemove(member, out _);
        }
        else
        {
            _unreachable[member] = true;
        }
    }

    internal bool TryRoute(string from, string to, out InMemoryPeerTransport? destination)
    {
        destination = null;
        return !_unreachable.ContainsKey(from) && !_unreachable.ContainsKey(to) && _members.TryGetValue(to, out destination);
    }
}

/// <summary>One member's end of an <see cref="InMemoryPeerNetwork"/>. Thread-safe; see <see cref="IPeerTransport"/>.</summary>
public sealed class InMemoryPeerTransport : IPeerTransport
{
    private readonly InMemoryPeerNetwork _network;
    private readonly Channel<InboundMessage> _inbound;
    private long _dropped;

    internal InMemoryPeerTransport(InMemoryPeerNetwork network, string self, int inboundCapacity)
    {
        _network = network;
        Self = self;
        _inbound = Channel.CreateBounded<InboundMessage>(
            new BoundedChannelOptions(inboundCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>This member's id.</summary>
    public string Self { get; }

    /// <summary>Messages this member sent that were not delivered, and messages to it its full queue dropped.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public ChannelReader<InboundMessage> Inbound => _inbound.Reader;

    public void Send(OutgoingMessage message)
    {
        ArgumentException.ThrowIfNullOrEmpty(message.To, nameof(message));
        ArgumentNullException.ThrowIfNull(message.Message, nameof(message));
        if (message.Message.Items.Count == 0)
        {
            return;
        }

        if (!_network.TryRoute(Self, message.To, out var destination) || !destination!._inbound.Writer.TryWrite(new InboundMessage(Self, message.Message)))
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        destination.ArrivalSignal?.Invoke();
    }

    /// <inheritdoc/>
    public Action? ArrivalSignal { get; set; }

    internal void Complete() => _inbound.Writer.TryComplete();
}
