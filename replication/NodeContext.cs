using DataCluster.Replication.Messages;

namespace DataCluster.Replication;

/// <summary>What the partitions of one node share: who it is, its settings, the clock, the outbox and peer liveness.</summary>
/// <remarks>Not thread-safe; owned by one <see cref="ReplicaNode"/>.</remarks>
internal sealed class NodeContext(string self, ReplicationOptions options)
{
    private long _tickets;

    public string Self { get; } = self;

    public ReplicationOptions Options { get; } = options;

    public Outbox Outbox { get; } = new();

    public PeerLiveness Liveness { get; } = new(options.DownAfterMs);

    /// <summary>The time of the last <see cref="ReplicaNode.Tick"/>.</summary>
    public long Now { get; set; }

    public long NextTicket() => ++_tickets;

    public void SendNow(string to, PartitionMessage message)
    {
        Liveness.Contacted(to, Now);
        Outbox.SendNow(to, message);
    }

    public void SendAfterPersist(string to, PartitionMessage message)
    {
        Liveness.Contacted(to, Now);
        Outbox.SendAfterPersist(to, message);
    }

    public bool Breaks(UnsafeRules rule) => (Options.Unsafe & rule) != 0;
}
