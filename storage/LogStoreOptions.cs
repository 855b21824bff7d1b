namespace DataCluster.Storage;

/// <summary>When a flush issues fsync. What each risks is in storage/README.md, "Fsync policies".</summary>
public enum FsyncPolicy
{
    /// <summary>Every flush fsyncs what it wrote: a flushed record survives a power loss. The default.</summary>
    Always,

    /// <summary>A flush fsyncs only when <see cref="LogStoreOptions.FsyncInterval"/> has passed since the last fsync; between, it hands bytes to the OS.</summary>
    Interval,

    /// <summary>Flushes hand bytes to the OS and leave writing them to it; fsync only when a segment is sealed, on truncation, reset and close.</summary>
    Never,
}

/// <summary>
/// Settings of a <see cref="LogStore"/>. Immutable; checked by
/// <see cref="LogStoreOptionsValidator"/> when the store opens.
/// </summary>
public sealed record LogStoreOptions
{
    /// <summary>Default <see cref="SegmentBytes"/>: 64 MiB.</summary>
    public const long DefaultSegmentBytes = 64L * 1024 * 1024;

    /// <summary>Default <see cref="IndexIntervalBytes"/>: 4 KiB.</summary>
    public const int DefaultIndexIntervalBytes = 4096;

    /// <summary>Default <see cref="TailCacheBytes"/>: 256 KiB per partition.</summary>
    public const long DefaultTailCacheBytes = 256 * 1024;

    /// <summary>Default <see cref="WalCheckpointBytes"/>: 32 MiB.</summary>
    public const long DefaultWalCheckpointBytes = 32L * 1024 * 1024;

    /// <summary>Default <see cref="FlushParallelism"/>.</summary>
    public const int DefaultFlushParallelism = 32;

    /// <summary>The directory of the store (the agent's volume): partitions under <c>partitions/</c>, replica state beside them. Required.</summary>
    public string DataDirectory { get; init; } = "";

    /// <summary>
    /// Size at which the active segment is sealed and a new one started. Default 64 MiB:
    /// retention deletes whole segments, so this is its granularity per partition (256 partitions
    /// keep at most 16 GiB beyond the retention limits), while few files are open and recovery
    /// checks at most one segment's tail.
    /// </summary>
    public long SegmentBytes { get; init; } = DefaultSegmentBytes;

    /// <summary>
    /// Bytes of records between two offset-index entries. Default 4 KiB (Kafka's
    /// <c>index.interval.bytes</c>): a read scans at most that much to find its first record, and
    /// the index costs 16 bytes per 4 KiB of log.
    /// </summary>
    public int IndexIntervalBytes { get; init; } = DefaultIndexIntervalBytes;

    /// <summary>When flushes fsync. Default <see cref="FsyncPolicy.Always"/>: an acknowledged record survives a power loss.</summary>
    public FsyncPolicy FsyncPolicy { get; init; } = FsyncPolicy.Always;

    /// <summary>
    /// The longest time between fsyncs under <see cref="FsyncPolicy.Interval"/>. Default 100 ms,
    /// the journal commit interval MongoDB uses: a power loss loses at most a tenth of a second of
    /// acknowledged writes, and a busy member fsyncs ten times a second rather than per batch.
    /// </summary>
    public TimeSpan FsyncInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Retention by size, per partition: the oldest segments are deleted while the log without
    /// them still holds at least this many bytes. Null (default): no size limit, since volume
    /// sizes differ; set it from the volume size divided by the partitions held.
    /// </summary>
    public long? RetentionBytes { get; init; }

    /// <summary>
    /// Retention by age: a segment whose newest record is older than this is deleted. Default 7
    /// days (Kafka's default): a consumer or replica down for a long weekend still catches up from
    /// the log.
    /// </summary>
    public TimeSpan? RetentionAge { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Encoded bytes of recent records kept in memory per partition for reads. Default 256 KiB:
    /// about a thousand 256-byte records, enough for followers a few rounds behind, and 64 MiB
    /// for 256 busy partitions. 0 turns the cache off.
    /// </summary>
    public long TailCacheBytes { get; init; } = DefaultTailCacheBytes;

    /// <summary>
    /// Fsyncs a group flush runs at once (on dedicated threads, which sleep between flushes).
    /// Default 32, measured (storage/README.md, "Figures"): concurrent fsyncs share the file
    /// system's journal commits, so a flush of 256 partitions took about 1.1 s one file at a time,
    /// 25 ms with 16 at once, 20 ms with 32, and no less with 64.
    /// </summary>
    public int FlushParallelism { get; init; } = DefaultFlushParallelism;

    /// <summary>
    /// Under <see cref="FsyncPolicy.Always"/>, a group flush appends the records of every log it
    /// flushes to one write-ahead log file and fsyncs that file once, instead of one fsync per
    /// partition file; segment files are synced at checkpoints. Default true: with records spread
    /// over many partitions, one fsync per flush instead of dozens (storage/README.md, "Figures").
    /// False keeps the per-partition fsyncs. Other policies never use it.
    /// </summary>
    public bool WriteAheadLog { get; init; } = true;

    /// <summary>
    /// Size of the write-ahead log file at which a checkpoint syncs the segments it covers and
    /// starts a new file. Default 32 MiB: about ten seconds of a member's records at a few
    /// thousand 256-byte writes per second, so the parallel segment fsyncs of a checkpoint come
    /// seldom, while replay on open reads (and holds in memory) at most that much plus one flush.
    /// </summary>
    public long WalCheckpointBytes { get; init; } = DefaultWalCheckpointBytes;
}
