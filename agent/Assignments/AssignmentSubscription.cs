using System.Threading.Channels;

namespace DataCluster.Agent.Assignments;

/// <summary>
/// One subscriber's ordered stream of <see cref="AssignmentEvent"/>s: first the current state,
/// then every change, with nothing lost or repeated in between. Read <see cref="Events"/> from
/// one reader; dispose to unsubscribe.
/// </summary>
/// <remarks>
/// The buffer is bounded. A subscriber that falls behind by more than it holds is cut off:
/// <see cref="Events"/> completes and <see cref="Overflowed"/> turns true. Events are
/// differences, so silently dropping one would leave the subscriber with a wrong picture;
/// blocking would let one slow client stall every agent-side consumer; an unbounded buffer would
/// let it exhaust memory. Cut off, it reconnects and starts again from the current state.
/// </remarks>
public sealed class AssignmentSubscription : IDisposable
{
    private readonly Channel<AssignmentEvent> _channel;
    private readonly Action<AssignmentSubscription> _unsubscribe;
    private volatile bool _overflowed;

    internal AssignmentSubscription(int capacity, Action<AssignmentSubscription> unsubscribe)
    {
        _channel = Channel.CreateBounded<AssignmentEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _unsubscribe = unsubscribe;
    }

    /// <summary>The events, in order; completes when the subscriber is cut off or the agent stops.</summary>
    public ChannelReader<AssignmentEvent> Events => _channel.Reader;

    /// <summary>True when the subscriber fell behind and was cut off.</summary>
    public bool Overflowed => _overflowed;

    public void Dispose() => _unsubscribe(this);

    /// <summary>Queues events without waiting; on a full buffer cuts the subscriber off and returns false.</summary>
    internal bool Offer(IReadOnlyList<AssignmentEvent> events)
    {
        foreach (var e in events)
        {
            if (!_channel.Writer.TryWrite(e))
            {
                _overflowed = true;
                _channel.Writer.TryComplete();
                return false;
            }
        }

        return true;
    }

    internal void Complete() => _channel.Writer.TryComplete();
}
