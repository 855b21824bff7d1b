using DataCluster.Replication.Messages;

namespace DataCluster.Replication;

/// <summary>What the partitions of one node share: who it is, its settings, the clock, the outbox and peer liveness.</summary>
/// <remarks>Not thread-safe; owned by one <see cref="ReplicaNode"/>.</remarks>
internal sealed class NodeContext(string self, ReplicationOptions options, long incarnation)
{
    private readonly Dictionary<string, long> _lastSentTo = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastPingTo = new(StringComparer.Ordinal);
    private long _tickets;

    public string Self { get; } = self;

    public ReplicationOptions Options { get; } = options;

    /// <summary>This node's incarnation: differs each time the member's node starts.</summary>
    public long Incarnation { get; } = incarnation;

    public Outbox Outbox { get; } = new();

    public PeerLiveness Liveness { get; } = new(options.DownAfterMs);

    /// <summary>The time of the last <see cref="ReplicaNode.Tick"/>.</summary>
    public long Now { get; set; }

    /// <summary>Chooses stand-ins for down replicas of the partitions this node leads; null: no substitutes.</summary>
    public SubstituteChooser? SubstituteChooser { get; set; }

    /// <summary>Stand-ins this node's leaders put in place, since the node started.</summary>
    public long SubstitutionsStarted { get; set; }

    /// <summary>Copies this node held outside its assignment and dropped once a leader released them, since the node started.</summary>
    public long CopiesReleased { get; set; }

    public long NextTicket() => ++_tickets;

    public void SendNow(string to, PartitionMessage message)
    {
        Contact(to);
        Outbox.SendNow(to, message);
    }

    public void SendAfterPersist(string to, PartitionMessage message)
    {
        Contact(to);
        Outbox.SendAfterPersist(to, message);
    }

    /// <summary>
    /// Pings <paramref name="peer"/> when nothing went to it for a heartbeat interval, so it keeps
    /// hearing from this node, and at least twice per <see cref="ReplicationOptions.DownAfterMs"/>
    /// even when other messages flow, so it learns a new incarnation of this node soon after a
    /// restart whatever the first pings met (a stream still connecting drops them).
    /// </summary>
    public void PingIfSilent(string peer)
    {
        var silent = !_lastSentTo.TryGetValue(peer, out var sent) || Now - sent >= Options.HeartbeatIntervalMs;
        var due = !_lastPingTo.TryGetValue(peer, out var pinged) || Now - pinged >= Options.DownAfterMs / 2;
        if (silent || due)
        {
            SendNow(peer, new NodePing(Incarnation));
            _lastPingTo[peer] = Now;
        }
    }

    private void Contact(string to)
    {
        Liveness.Contacted(to, Now);
        _lastSentTo[to] = Now;
    }

    public bool Breaks(UnsafeRules rule) => (Options.Unsafe & rule) != 0;
}
