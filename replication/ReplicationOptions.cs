namespace DataCluster.Replication;

/// <summary>
/// Settings of the replication state machine. Every duration is in milliseconds of the clock
/// the caller passes to <see cref="ReplicaNode.Tick"/>.
/// </summary>
/// <remarks>Immutable once given to a <see cref="ReplicaNode"/>; validate with <see cref="Validate"/> at start.</remarks>
public sealed class ReplicationOptions
{
    /// <summary>
    /// Batches in flight per follower and partition before the leader waits for an acknowledgement.
    /// 8 batches keep a follower one round trip plus one fsync busy on a fast network without
    /// resending much after a loss.
    /// </summary>
    public int PipelineWindow { get; init; } = 8;

    /// <summary>Most records in one append batch. 512 amortises the per-message cost without delaying the first record of the batch.</summary>
    public int MaxBatchRecords { get; init; } = 512;

    /// <summary>Most key and body bytes in one append batch (a single larger record is still sent alone). 1 MiB keeps one stream from starving the partitions behind it.</summary>
    public long MaxBatchBytes { get; init; } = 1 << 20;

    /// <summary>A leader with nothing to send tells each follower it is alive this often. 100 ms: ten heartbeats fit in <see cref="DownAfterMs"/>.</summary>
    public long HeartbeatIntervalMs { get; init; } = 100;

    /// <summary>
    /// A peer that has not answered for this long is known down: ALL writes are refused while a
    /// replica is, QUORUM writes while a majority is. 1 s tolerates a long GC pause or fsync
    /// stall without flapping.
    /// </summary>
    public long DownAfterMs { get; init; } = 1000;

    /// <summary>Appends in flight without any acknowledgement for this long are sent again from the last acknowledged offset. 500 ms: several round trips plus an fsync.</summary>
    public long RetransmitAfterMs { get; init; } = 500;

    /// <summary>A would-be leader sends its prepare or fetch again to members that have not answered after this long. 200 ms: a lost message costs little.</summary>
    public long PrepareRetryMs { get; init; } = 200;

    /// <summary>A designated leader that found itself outranked or lost its term waits this long before trying again. 500 ms lets a newer leader finish its sync first.</summary>
    public long ElectionBackoffMs { get; init; } = 500;

    /// <summary>A proposal not completed within this long completes as timed out (the record may still be committed later). 10 s is above a failover plus a sync.</summary>
    public long ProposalTimeoutMs { get; init; } = 10_000;

    /// <summary>The Retry-After a refusal suggests for a syncing partition or one without a leader. 1 s is about one failover.</summary>
    public long RetryAfterMs { get; init; } = 1000;

    /// <summary>A producer that wrote nothing for this long is forgotten, as Kafka expires producer ids. 15 minutes covers any client retry loop.</summary>
    public long ProducerExpiryMs { get; init; } = 15 * 60 * 1000;

    /// <summary>Sequences remembered per producer: a retry of an older one is refused as out of the window. 16 covers a client with that many writes in flight.</summary>
    public int ProducerSequencesKept { get; init; } = 16;

    /// <summary>Records from the log's tail a new leader reads to rebuild producer state. Bounds the cost of a failover; producers older than that are forgotten.</summary>
    public int ProducerScanRecords { get; init; } = 65_536;

    /// <summary>
    /// A consumed offset that moved is saved with the next state save of any kind, or after this
    /// long at the latest, together with every other partition's. 1 s bounds what a restarted
    /// member delivers twice to about a second of consumption, at one fsync a second however many
    /// deliveries there are.
    /// </summary>
    public long ConsumedSaveIntervalMs { get; init; } = 1000;

    /// <summary>Deliberately broken rules, only for tests that prove the simulator's checker finds violations.</summary>
    internal UnsafeRules Unsafe { get; init; }

    /// <summary>Problems with these settings, each saying how to fix it; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        Positive(errors, PipelineWindow, nameof(PipelineWindow), "1 or more batches");
        Positive(errors, MaxBatchRecords, nameof(MaxBatchRecords), "1 or more records");
        Positive(errors, MaxBatchBytes, nameof(MaxBatchBytes), "1 or more bytes");
        Positive(errors, HeartbeatIntervalMs, nameof(HeartbeatIntervalMs), "1 ms or more");
        Positive(errors, RetransmitAfterMs, nameof(RetransmitAfterMs), "1 ms or more");
        Positive(errors, PrepareRetryMs, nameof(PrepareRetryMs), "1 ms or more");
        Positive(errors, ElectionBackoffMs, nameof(ElectionBackoffMs), "1 ms or more");
        Positive(errors, ProposalTimeoutMs, nameof(ProposalTimeoutMs), "1 ms or more");
        Positive(errors, RetryAfterMs, nameof(RetryAfterMs), "1 ms or more");
        Positive(errors, ProducerExpiryMs, nameof(ProducerExpiryMs), "1 ms or more");
        Positive(errors, ProducerSequencesKept, nameof(ProducerSequencesKept), "1 or more");
        Positive(errors, ConsumedSaveIntervalMs, nameof(ConsumedSaveIntervalMs), "1 ms or more");
        if (ProducerScanRecords < 0)
        {
            errors.Add($"{nameof(ProducerScanRecords)} is {ProducerScanRecords}; set 0 (no rebuild) or more records");
        }

        if (DownAfterMs <= HeartbeatIntervalMs)
        {
            errors.Add($"{nameof(DownAfterMs)} ({DownAfterMs}) must exceed {nameof(HeartbeatIntervalMs)} ({HeartbeatIntervalMs}); set it to several heartbeats, e.g. {HeartbeatIntervalMs * 10}");
        }

        return errors;
    }

    private static void Positive(List<string> errors, long value, string name, string accepted)
    {
        if (value <= 0)
        {
            errors.Add($"{name} is {value}; set {accepted}");
        }
    }
}

/// <summary>Rules a test may break on purpose to show that the simulator's invariants catch the breakage.</summary>
[Flags]
internal enum UnsafeRules
{
    /// <summary>Every rule holds.</summary>
    None = 0,

    /// <summary>A would-be leader needs promises from a majority of its own replica set only, ignoring earlier sets.</summary>
    SkipEarlierReplicaSets = 1,

    /// <summary>Followers acknowledge appends before they are flushed, and the leader counts its own unflushed records.</summary>
    CountUnflushedRecords = 2,

    /// <summary>The commit point may advance over records of earlier terms without a record of the leader's own term (no TermStart rule).</summary>
    CommitEarlierTerms = 4,
}
