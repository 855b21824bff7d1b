using DataCluster.Replication.Messages;

namespace DataCluster.Replication.Tests.Simulation;

/// <summary>
/// The simulated network: each pair of members has a base delay; each message adds jitter (so
/// messages of one pair can overtake each other), may be lost, and is dropped on delivery when a
/// network split separates its ends. Deterministic for a given <see cref="Random"/>.
/// </summary>
internal sealed class SimNetwork(Random random, SimulationSettings settings)
{
    private readonly PriorityQueue<Envelope, (long At, long Seq)> _queue = new();
    private readonly Dictionary<(string, string), int> _baseDelay = [];
    private long _seq;

    /// <summary>Members on the far side of a split from the rest; empty when the network is whole.</summary>
    public HashSet<string> Cut { get; } = new(StringComparer.Ordinal);

    public bool Faulty { get; set; } = true;

    public int Sent { get; private set; }

    public int Lost { get; private set; }

    public int Count => _queue.Count;

    public void Send(string from, string to, PeerMessage message, long now)
    {
        Sent++;
        if (Faulty && random.Next(100) < settings.LossPercent)
        {
            Lost++;
            return;
        }

        if (!_baseDelay.TryGetValue((from, to), out var delay))
        {
            delay = 1 + random.Next(Math.Max(1, settings.MaxDelayMs / 2));
            _baseDelay[(from, to)] = delay;
        }

        var jitter = random.Next(Math.Max(1, settings.MaxDelayMs / 2));
        _queue.Enqueue(new Envelope(from, to, message), (now + delay + jitter, _seq++));
    }

    /// <summary>The next message due at or before <paramref name="now"/>; split messages are dropped here.</summary>
    public bool TryNext(long now, out Envelope envelope)
    {
        while (_queue.TryPeek(out envelope!, out var key) && key.At <= now)
        {
            _queue.Dequeue();
            if (Cut.Contains(envelope.From) != Cut.Contains(envelope.To))
            {
                Lost++;
                continue;
            }

            return true;
        }

        envelope = null!;
        return false;
    }
}
