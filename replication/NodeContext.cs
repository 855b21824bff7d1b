using DataCluster.Replication.Messages;

namespace DataCluster.Replication;

/// <summary>What the partitions of one node share: who it is, its settings, the clock, the outbox and peer liveness.</summary>
/// <remarks>Not thread-safe; owned by one <see cref="ReplicaNode"/>.</remarks>
internal sealed class NodeContext(string self, ReplicationOptions options, long incarnation)
{
    private readonly Dictionary<string, long> _lastSentTo = new(StringComparer.Ordinal);
    private long _tickets;

    public string Self { get; } = self;

    public ReplicationOptions Options { get; } = options;

    /// <summary>This node's incarnation: differs each time the member's node starts.</summary>
    public long Incarnation { get; } = incarnation;

    public Outbox Outbox { get; } = new();

    public PeerLiveness Liveness { get; } = new(options.DownAfterMs);

    /// <summary>The time of the last <see cref="ReplicaNode.Tick"/>.</summary>
    public long Now { get; set; }

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

    /// <summary>Pings <paramref name="peer"/> when nothing went to it for a heartbeat interval, so it keeps hearing from this node.</summary>
    public void PingIfSilent(string peer)
    {
        if (!_lastSentTo.TryGetValue(peer, out var at) || Now - at >= Options.HeartbeatIntervalMs)
        {
            SendNow(peer, new NodePing(Incarnation));
        }
    }

    private void Contact(string to)
    {
        Liveness.Contacted(to, Now);
        _lastSentTo[to] = Now;
    }

    public bool Breaks(UnsafeRules rule) => (Options.Unsafe & rule) != 0;
}
