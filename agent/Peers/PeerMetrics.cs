using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
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

    /// <summary>A message of a type this member does not know (from a newer peer), left out of its batch.</summary>
    public const string UnknownMessage = "unknown_message";

    /// <summary>A connection to the peer port beyond <see cref="PeerListener.MaxConnections"/> open at once, closed unanswered.</summary>
    public const string TooManyConnections = "too_many_connections";
}

/// <summary>
/// The peer transport's instruments, on the agent's meter (exposed on /metrics with the names
/// below, dots as underscores). Labelled by peer member id (one series per member of the
/// cluster). Counts are kept here and read at collection, so tests read them directly.
/// Thread-safe.
/// </summary>
public sealed class PeerMetrics
{
    private readonly ConcurrentBag<Action> _beforeCollect = [];

    public PeerMetrics(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        meter.CreateObservableGauge("datacluster.agent.peer_queue_depth", () => { Collect(); return QueueDepth.Measurements(); }, description: "Messages waiting in the send queue of a peer, by peer (read at collection).");
        Counter(meter, "datacluster.agent.peer_batches_sent", BatchesSent, "Batches written to peer streams, by peer.");
        Counter(meter, "datacluster.agent.peer_items_sent", ItemsSent, "Partition messages written to peer streams, by peer.");
        Counter(meter, "datacluster.agent.peer_bytes_sent", BytesSent, "Encoded bytes written to peer streams, by peer.");
        Counter(meter, "datacluster.agent.peer_items_dropped", ItemsDropped, "Partition messages for a peer that were not sent or may not have arrived, by peer and reason (queue_full, expired, send_failed, oversized, stopped).");
        Counter(meter, "datacluster.agent.peer_stream_failures", StreamFailures, "Failed connections and broken streams to a peer, by peer.");
        meter.CreateObservableGauge("datacluster.agent.peer_connected", Connected.Measurements, description: "1 while this member has an accepted stream open to the peer, else 0.");
        Counter(meter, "datacluster.agent.peer_batches_received", BatchesReceived, "Batches received from peers, by sending member.");
        Counter(meter, "datacluster.agent.peer_items_received", ItemsReceived, "Partition messages received from peers, by sending member.");
        Counter(meter, "datacluster.agent.peer_rejected", Rejected, "Peer requests and batches turned away, by reason (missing_token, wrong_token, wrong_member, bad_batch, unknown_message: messages of an unknown type left out of their batch).");
    }

    public LabelledGauges QueueDepth { get; } = new("peer");

    public LabelledCounts BatchesSent { get; } = new("peer");

    public LabelledCounts ItemsSent { get; } = new("peer");

    public LabelledCounts BytesSent { get; } = new("peer");

    public LabelledCounts ItemsDropped { get; } = new("peer", "reason");

    public LabelledCounts StreamFailures { get; } = new("peer");

    public LabelledGauges Connected { get; } = new("peer");

    public LabelledCounts BatchesReceived { get; } = new("peer");

    public LabelledCounts ItemsReceived { get; } = new("peer");

    public LabelledCounts Rejected { get; } = new("reason");

    /// <summary>Runs <paramref name="collect"/> before every collection (to refresh <see cref="QueueDepth"/>).</summary>
    public void OnCollect(Action collect) => _beforeCollect.Add(collect);

    /// <summary>Refreshes the values read at collection; also for tests that read <see cref="QueueDepth"/> directly.</summary>
    public void Collect()
    {
        foreach (var collect in _beforeCollect)
        {
            collect();
        }
    }

    private static void Counter(Meter meter, string name, LabelledCounts counts, string description) =>
        meter.CreateObservableCounter(name, counts.Measurements, description: description);
}
