using DataCluster.Telemetry;

namespace DataCluster.Agent.Peers;

/// <summary>Why a partition message was not delivered; the <c>reason</c> label of <see cref="PeerMetrics.ItemsDropped"/>.</summary>
public static class DropReasons
{
    /// <summary>The destination's queue was full; its oldest message made room.</summary>
    public const string QueueFull = "queue_full";

    /// <summary>It waited longer than the age limit (the peer was slow or unreachable).</summary>
    public const string Expired = "expired";

    /// <summary>The write that carried it failed; it may or may not have arrived.</summary>
    public const string SendFailed = "send_failed";

    /// <summary>Alone it exceeded the largest message a peer accepts.</summary>
    public const string Oversized = "oversized";

    /// <summary>Sent after the transport was stopped.</summary>
    public const string Stopped = "stopped";
}

/// <summary>Why a peer request was turned away; the <c>reason</c> label of <see cref="PeerMetrics.Rejected"/>.</summary>
public static class RejectReasons
{
    public const string MissingToken = "missing_token";
    public const string WrongToken = "wrong_token";

    /// <summary>The caller meant to reach another member (a stale address).</summary>
    public const string WrongMember = "wrong_member";

    /// <summary>A batch this member could not read.</summary>
    public const string BadBatch = "bad_batch";
}

/// <summary>
/// The peer transport's Prometheus metrics, on the agent's registry. Labelled by peer member id
/// (one series per member of the cluster). Thread-safe.
/// </summary>
public sealed class PeerMetrics
{
    private readonly MetricRegistry _registry;

    public PeerMetrics(MetricRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        QueueDepth = registry.Gauge("datacluster_agent_peer_queue_depth", "Messages waiting in the send queue of a peer, by peer (read at scrape time).", "peer");
        BatchesSent = registry.Counter("datacluster_agent_peer_batches_sent_total", "Batches written to peer streams, by peer.", "peer");
        ItemsSent = registry.Counter("datacluster_agent_peer_items_sent_total", "Partition messages written to peer streams, by peer.", "peer");
        BytesSent = registry.Counter("datacluster_agent_peer_bytes_sent_total", "Encoded bytes written to peer streams, by peer.", "peer");
        ItemsDropped = registry.Counter("datacluster_agent_peer_items_dropped_total", "Partition messages for a peer that were not sent or may not have arrived, by peer and reason (queue_full, expired, send_failed, oversized, stopped).", "peer", "reason");
        StreamFailures = registry.Counter("datacluster_agent_peer_stream_failures_total", "Failed connections and broken streams to a peer, by peer.", "peer");
        Connected = registry.Gauge("datacluster_agent_peer_connected", "1 while this member has an accepted stream open to the peer, else 0.", "peer");
        BatchesReceived = registry.Counter("datacluster_agent_peer_batches_received_total", "Batches received from peers, by sending member.", "peer");
        ItemsReceived = registry.Counter("datacluster_agent_peer_items_received_total", "Partition messages received from peers, by sending member.", "peer");
        Rejected = registry.Counter("datacluster_agent_peer_rejected_total", "Peer requests and batches turned away, by reason (missing_token, wrong_token, wrong_member, bad_batch).", "reason");
    }

    public Gauge QueueDepth { get; }

    public Counter BatchesSent { get; }

    public Counter ItemsSent { get; }

    public Counter BytesSent { get; }

    public Counter ItemsDropped { get; }

    public Counter StreamFailures { get; }

    public Gauge Connected { get; }

    public Counter BatchesReceived { get; }

    public Counter ItemsReceived { get; }

    public Counter Rejected { get; }

    /// <summary>Runs <paramref name="collect"/> before every scrape (to refresh <see cref="QueueDepth"/>).</summary>
    public void OnCollect(Action collect) => _registry.OnCollect(collect);
}
