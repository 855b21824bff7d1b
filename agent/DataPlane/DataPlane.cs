using System.Diagnostics;
using System.Threading.Channels;
using DataCluster.Agent.Observability;
using DataCluster.Agent.Peers;
using DataCluster.Replication;
using DataCluster.Replication.Messages;
using DataCluster.Ring;
using DataCluster.Storage;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.DataPlane;

/// <summary>
/// The member's data plane: its partition logs (<see cref="LogStore"/>), the replication state
/// machine (<see cref="ReplicaNode"/>) and the loop that drives it. Writes, reads, peer messages
/// and assignment changes enter through one bounded queue; a single loop applies them to the
/// state machine, sends what it says to send, flushes every log it touched in one group commit,
/// saves replica states, sends the acknowledgements that depend on that, and completes writes.
/// </summary>
/// <remarks>
/// <para>Thread-safe: every public method may be called from any thread. Work is serialized on
/// the loop; while one batch is being flushed, the next accumulates in the queue, which is what
/// batches fsyncs under load.</para>
/// <para>Reads return committed records only, from this member's own copy of the log.</para>
/// </remarks>
public sealed partial class DataPlane : IAsyncDisposable
{
    /// <summary>
    /// Queue bound. Writers wait when it is full, which pushes back on clients and peers instead
    /// of growing memory; 16384 inputs is several batches of the largest load the loop sees.
    /// </summary>
    private const int QueueCapacity = 16_384;

    /// <summary>Most inputs applied before the loop persists a batch: bounds a batch's latency under a flood.</summary>
    private const int MaxInputsPerBatch = 4096;

    /// <summary>
    /// How often the state machine's clock ticks while a partition has a timer running. 20 ms is a
    /// fifth of the heartbeat interval, so heartbeats, retransmissions and timeouts fire within
    /// 20 ms of when they are due. When every partition is quiet the loop ticks once per heartbeat
    /// interval instead (only the peer pings are then due), so an idle agent wakes 10 times a
    /// second rather than 50.
    /// </summary>
    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// How often old segments are removed and log sizes refreshed for metrics. A minute: retention
    /// is measured in hours and gigabytes, so finer steps would only cost directory scans.
    /// </summary>
    private static readonly TimeSpan HousekeepingInterval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How stale the statuses shown by the API and metrics may be. 100 ms keeps a busy loop from
    /// building 256 partition summaries per batch while staying far below a scrape interval.
    /// </summary>
    private const long StatusRefreshMs = 100;

    /// <summary>A term still syncing after this long is logged: the planned-handoff target is 1 s of refused writes.</summary>
    private const long SlowSyncMs = 1000;

    /// <summary>How often the log sizes behind the log-bytes gauge are read (scrapes come every 15 s or more).</summary>
    private const long SizesRefreshMs = 5000;

    /// <summary>Most records a key read examines per request, so one read never holds the loop long; the answer says where to continue.</summary>
    private const int MaxScannedPerKeyRead = 20_000;

    private readonly DataPlaneOptions _options;
    private readonly IPeerTransport _peers;
    private readonly DataPlaneMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<Input> _inputs = Channel.CreateBounded<Input>(new BoundedChannelOptions(QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    // Set when an input or a peer's message is queued; the loop waits on it (RunLoop). It does
    // not spin before it blocks: the loop's two cores are shared with everything else.
    private readonly LoopWake _wake = new();

    // The peer streams the loop reads itself, while it runs (null where it cannot poll them).
    private PeerStreamPoll? _streams;
    private readonly Dictionary<long, PendingWrite> _pending = [];
    private readonly List<LogRecord> _scratch = [];
    private LogStore? _store;

    private ReplicaNode? _node;
    private volatile IReadOnlyList<PartitionStatus> _statuses = [];
    private volatile bool _running;
    private long _nextTickMs;
    private long _nextHousekeepingMs;
    private long _nextStatusRefreshMs;
    private readonly Dictionary<int, (long Term, long At, bool Reported)> _syncingSince = [];
    private long _nextSizesRefreshMs;

    /// <summary>Creates the data plane; <see cref="RunAsync"/> opens the logs and starts the loop.</summary>
    public DataPlane(DataPlaneOptions options, IPeerTransport peers, DataPlaneMetrics metrics, ILogger logger, TimeProvider? time = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _peers = peers ?? throw new ArgumentNullException(nameof(peers));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _time = time ?? TimeProvider.System;
        _metrics.Observe(this);
    }

    /// <summary>The data plane's instruments.</summary>
    public DataPlaneMetrics Metrics => _metrics;

    /// <summary>True while the loop runs with its logs open: this member can serve its partitions.</summary>
    public bool IsRunning => _running;

    /// <summary>Every partition this member holds or heard of, as of the last loop iteration.</summary>
    public IReadOnlyList<PartitionStatus> Statuses => _statuses;

    /// <summary>The status of one partition, or null when this member never held it.</summary>
    public PartitionStatus? StatusOf(int partition)
    {
        foreach (var status in _statuses)
        {
            if (status.Partition == partition)
            {
                return status;
            }
        }

        return null;
    }

    /// <summary>Bytes of each partition's log on disk, as of the last loop iteration.</summary>
    public IReadOnlyDictionary<int, long> LogBytes { get; private set; } = new Dictionary<int, long>();

    /// <summary>Takes in a newer assignment; the loop re-plans leadership and replica sets.</summary>
    public void OnAssignment(Assignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        // Assignments are rare and small; never drop one, even when the queue is full, nor one that
        // comes before the loop runs (it takes it in once it does).
        _ = QueueAsync(new AssignmentInput(assignment), CancellationToken.None).AsTask();
    }

    /// <summary>Appends an event to a partition this member leads and completes once its commit level is met or it fails.</summary>
    public async Task<WriteOutcome> WriteAsync(WriteRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The answer continues on the loop's thread when the loop completes the write: a few
        // microseconds of encoding and a socket send that completes at once while the client's
        // connection has room (the web server continues inline, AgentHost), where handing it to
        // the thread pool cost a thread wake-up per write. Nothing after this await blocks; a
        // send the connection has no room for waits on the socket engine, not on the loop.
        var done = new TaskCompletionSource<WriteOutcome>(TaskCreationOptions.None);
        if (!await EnqueueAsync(new WriteInput(request, done, Stopwatch.GetTimestamp(), Activity.Current), cancellationToken).ConfigureAwait(false))
        {
            return Refused(request.Partition, WriteStatus.Stopping, null, 1000, "the agent's data plane is not running (starting or stopping); retry shortly");
        }

        return await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Committed data records of <paramref name="partition"/> with offsets above
    /// <paramref name="after"/>, at most <paramref name="limit"/>, optionally only those of
    /// <paramref name="key"/>; null when this member holds no copy of the partition.
    /// </summary>
    /// <remarks>With <paramref name="fromConsumed"/>, <paramref name="after"/> is ignored and the read starts at the partition's consumed offset as this member knows it.</remarks>
    public async Task<ReadOutcome?> ReadAsync(int partition, long after, int limit, ReadOnlyMemory<byte>? key, CancellationToken cancellationToken, bool fromConsumed = false)
    {
        var done = new TaskCompletionSource<ReadOutcome?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!await EnqueueAsync(new ReadInput(partition, after, limit, key, fromConsumed, done), cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens the logs and runs the loop until cancelled or disposed; then flushes and closes them.
    /// The loop has a thread of its own (see <see cref="RunLoop"/>); the task completes when it ends.
    /// </summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        // A failure to open is the task's, as it was while the whole method was asynchronous.
        try
        {
            Directory.CreateDirectory(_options.Store.DataDirectory);
            var store = _store = LogStore.Open(_options.Store, _time, _options.MeterFactory);
            _node = new ReplicaNode(_options.Self, p => store.OpenPartition(p), store.ReplicaState, _options.Replication)
            {
                SubstituteChooser = SubstituteChooserOf(),
            };
            _nextTickMs = NowMs();
            _peers.ArrivalSignal = _wake.Set;
            if (_wake.CanPoll && _peers.StreamPoll is { } streams && streams.Attach(_wake.Set))
            {
                _streams = streams;
            }

            _running = true;
            DataPlaneLog.Started(_logger, _options.Self, _options.Store.DataDirectory, store.PartitionsOnDisk().Count, _options.Store.FsyncPolicy.ToString());
        }
        catch (Exception e)
        {
            _running = false;
            return Task.FromException(e);
        }

        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loop = new Thread(() =>
        {
            try
            {
                RunLoop(cancellationToken);
                ended.SetResult();
            }
            catch (Exception e)
            {
                ended.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "replication-loop",
        };
        loop.Start();
        return ended.Task;
    }

    /// <summary>
    /// The loop, on a thread of its own that blocks while it waits and while it flushes. Work
    /// wakes it directly (<see cref="_wake"/>, set by whoever queues an input or a peer's
    /// message); awaiting the queues instead ran each turn as a thread-pool item, so every wake
    /// went through the pool's worker hand-over, and each fsync held one of its few workers.
    /// Measured against that, five interleaved agents-only rounds: 3-14 % more writes a second and
    /// 3-13 % less CPU per write at 16 clients in every round, a third less idle CPU
    /// (docs/performance.md).
    /// </summary>
    private void RunLoop(CancellationToken cancellationToken)
    {
        var node = _node!;
        try
        {
            // DisposeAsync completes the input queue: the loop then ends once it has taken in what
            // was queued, as it does when cancelled (a wait on a completed queue would end at once,
            // and the loop would turn without pause).
            while (!cancellationToken.IsCancellationRequested && !_inputs.Reader.Completion.IsCompleted)
            {
                WaitForWork(cancellationToken);
                Apply();
                if (NowMs() >= _nextTickMs)
                {
                    // Quiet partitions have no timer but the peer pings: tick once per heartbeat interval then.
                    var quiet = node.Tick(NowMs());
                    _nextTickMs = NowMs() + (quiet ? _options.Replication.HeartbeatIntervalMs : (long)TickInterval.TotalMilliseconds);
                }

                if (NowMs() >= _nextHousekeepingMs)
                {
                    Housekeeping();
                    _nextHousekeepingMs = NowMs() + (long)HousekeepingInterval.TotalMilliseconds;
                }

                Persist(cancellationToken);
                WakeCommitWaiters(node);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _running = false;
            _streams?.Detach();
            _wake.Dispose();
            FailPending("the agent is stopping");
            FailCommitWaiters();
            _store!.Dispose();
            DataPlaneLog.Stopped(_logger, _options.Self);
        }
    }

    /// <summary>Stops taking inputs: writes and reads after it are refused, and the loop ends once it has taken in those already queued.</summary>
    public ValueTask DisposeAsync()
    {
        _inputs.Writer.TryComplete();
        _wake.Set();
        return ValueTask.CompletedTask;
    }

    /// <summary>Queues an input for the loop; false while the loop does not run (starting, stopping) and once the data plane is disposed.</summary>
    private async ValueTask<bool> EnqueueAsync(Input input, CancellationToken cancellationToken) =>
        _running && await QueueAsync(input, cancellationToken).ConfigureAwait(false);

    /// <summary>Queues an input for the loop, running or not yet; false once the data plane is disposed (its queue is complete).</summary>
    private async ValueTask<bool> QueueAsync(Input input, CancellationToken cancellationToken)
    {
        try
        {
            await _inputs.Writer.WriteAsync(input, cancellationToken).ConfigureAwait(false);
            _wake.Set();
            return true;
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }

    /// <summary>Waits for a storage call on the loop's thread; the common case (one write-ahead log fsync) has already completed inline.</summary>
    private static void Block(ValueTask pending)
    {
        if (pending.IsCompletedSuccessfully)
        {
            return;
        }

        pending.AsTask().GetAwaiter().GetResult();
    }

    private long NowMs() => _time.GetTimestamp() * 1000 / _time.TimestampFrequency;

    /// <summary>
    /// Waits until an input or a peer's message arrives or the next tick is due. The event is
    /// reset before the queues are looked at again, so a message queued meanwhile sets it after
    /// the reset and the wait ends at once. Peers' messages are read from the transport's queue
    /// here, not moved into the loop's own queue by another thread: under load that extra
    /// hand-over cost a thread wake-up per message batch. Where the loop reads the peer streams
    /// itself (<see cref="_streams"/>) it waits on them too, and reads them on every turn, waiting
    /// or not, so a busy loop does not leave them unread.
    /// </summary>
    private void WaitForWork(CancellationToken cancellationToken)
    {
        var wait = _nextTickMs - NowMs();
        if (HasWork() || wait <= 0)
        {
            ReadStreams();
            return;
        }

        _wake.Reset();
        if (HasWork() || _inputs.Reader.Completion.IsCompleted)
        {
            ReadStreams();
            return;
        }

        var milliseconds = (int)Math.Min(wait, int.MaxValue);
        if (_streams is { } streams)
        {
            _wake.Wait(milliseconds, cancellationToken, streams);
            streams.ReadReady();
        }
        else
        {
            _wake.Wait(milliseconds, cancellationToken);
        }
    }

    /// <summary>Reads what the peer streams the loop reads hold now, without waiting.</summary>
    private void ReadStreams()
    {
        if (_streams is { } streams)
        {
            streams.Poll(-1, 0);
            streams.ReadReady();
        }
    }

    /// <summary>True when an input or a peer's message is queued (or held by a stream for want of room), or the state machine has output to send.</summary>
    private bool HasWork() => _node!.HasOutput || _inputs.Reader.TryPeek(out _) || _peers.Inbound.TryPeek(out _) || _streams?.Holding == true;

    /// <summary>Applies every queued input and peer message (up to a batch of each) to the state machine.</summary>
    private void Apply()
    {
        var node = _node!;
        for (var applied = 0; applied < MaxInputsPerBatch && _peers.Inbound.TryRead(out var inbound); applied++)
        {
            node.Step(inbound.From, inbound.Message);
        }

        for (var applied = 0; applied < MaxInputsPerBatch && _inputs.Reader.TryRead(out var input); applied++)
        {
            switch (input)
            {
                case AssignmentInput assignment:
                    if (node.Assignment is null || assignment.Assignment.Epoch > node.Assignment.Epoch)
                    {
                        node.SetAssignment(assignment.Assignment);
                    }

                    break;
                case WriteInput write:
                    Propose(node, write);
                    break;
                case ReadInput read:
                    read.Done.TrySetResult(Read(node, read));
                    break;
                default:
                    ApplyDelivery(node, input);
                    break;
            }
        }
    }

    private void Propose(ReplicaNode node, WriteInput write)
    {
        var request = write.Request;
        var result = node.Propose(request.Partition, request.Key, request.ContentType, request.Body, request.Level, request.ProducerId, request.Sequence);
        if (!result.IsAccepted)
        {
            var status = result.Status switch
            {
                ProposeStatus.NotLeader => WriteStatus.NotLeader,
                ProposeStatus.Syncing => WriteStatus.Unavailable,
                ProposeStatus.CommitLevelCannotBeMet => WriteStatus.CommitLevelCannotBeMet,
                ProposeStatus.SequenceOutOfWindow => WriteStatus.SequenceOutOfWindow,
                ProposeStatus.Damaged => WriteStatus.Damaged,
                _ => WriteStatus.Unavailable,
            };
            _metrics.WriteRefused(status);
            write.Done.TrySetResult(Refused(request.Partition, status, result.Leader, result.RetryAfterMs, result.Message));
            return;
        }

        var activity = DataPlaneTracing.StartAppend(write.Parent, request, result.Offset);
        _pending[result.Ticket] = new PendingWrite(write.Done, write.StartedAt, request.Level, result.Duplicate, activity);
    }

    private ReadOutcome? Read(ReplicaNode node, ReadInput read)
    {
        if (node.GetStatus(read.Partition) is not { } status || status.LogEnd == 0 && status.LogStart == 0 && status.Role == ReplicaRole.None)
        {
            return null;
        }

        if (read.FromConsumed)
        {
            read = read with { After = status.ConsumedOffset - 1 };
        }

        var log = _store!.OpenPartition(read.Partition);
        var commit = Math.Min(status.CommitOffset, log.NextOffset);
        var records = new List<LogRecord>(Math.Min(read.Limit, 256));
        var from = Math.Max(read.After + 1, log.StartOffset);
        var lastExamined = read.After;
        var scanned = 0;
        while (from < commit && records.Count < read.Limit && scanned < MaxScannedPerKeyRead)
        {
            _scratch.Clear();
            int count;
            try
            {
                count = log.Read(from, (int)Math.Min(256, commit - from), long.MaxValue, _scratch);
            }
            catch (LogCorruptedException e)
            {
                // Damage inside the log (recovery only checks the tail): refuse to serve this copy
                // rather than stop the data plane; the caller then asks the leader.
                DataPlaneLog.DamagedRead(_logger, read.Partition, from, e.Message);
                _scratch.Clear();
                return null;
            }

            if (count == 0)
            {
                break;
            }

            foreach (var record in _scratch)
            {
                if (record.Offset >= commit || records.Count >= read.Limit)
                {
                    break;
                }

                lastExamined = record.Offset;
                scanned++;
                if (record.Kind == RecordKind.Data && (read.Key is not { } key || record.Key.Span.SequenceEqual(key.Span)))
                {
                    records.Add(record);
                }
            }

            from = lastExamined + 1;
        }

        _scratch.Clear();
        return new ReadOutcome(read.Partition, records, commit, log.StartOffset, lastExamined, status.ConsumedOffset);
    }

    /// <summary>Carries out what the state machine asked for: send, flush, save, send, complete (see <see cref="Ready"/>).</summary>
    private void Persist(CancellationToken cancellationToken)
    {
        var node = _node!;
        var ready = node.TakeReady();
        if (ready.IsEmpty)
        {
            node.Advance(ready);
            RefreshStatuses(node);
            return;
        }

        foreach (var damaged in ready.Damaged)
        {
            DataPlaneLog.PartitionDamaged(_logger, damaged.Partition, damaged.Reason);
        }

        foreach (var message in ready.SendNow)
        {
            _peers.Send(message);
        }

        // Completions state facts that were durable before this Ready was taken: their writers
        // need not wait for this batch's fsync.
        foreach (var completion in ready.Completions)
        {
            Complete(completion);
        }

        if (ready.LogsToFlush.Count > 0)
        {
            Block(_store!.FlushAsync(ready.LogsToFlush, cancellationToken));
        }

        if (ready.StatesToSave.Count > 0)
        {
            Block(_store!.ReplicaState.SaveAsync(ready.StatesToSave, cancellationToken));
        }

        foreach (var message in ready.SendAfterPersist)
        {
            _peers.Send(message);
        }

        node.Advance(ready);
        RefreshStatuses(node);
    }

    private void Complete(Completion completion)
    {
        if (!_pending.Remove(completion.Ticket, out var pending))
        {
            return;
        }

        var (status, message) = completion.Outcome switch
        {
            ProposalOutcome.Acknowledged => (WriteStatus.Acknowledged, (string?)null),
            ProposalOutcome.TimedOut => (WriteStatus.TimedOut, completion.Reason ?? "the commit level was not met in time; the event may still be committed"),
            _ => (WriteStatus.NotAcknowledged, completion.Reason ?? "the partition's leader changed before the commit level was met; the event may or may not be kept"),
        };
        var elapsed = Stopwatch.GetElapsedTime(pending.StartedAt);
        _metrics.WriteCompleted(status, pending.Level, elapsed);
        DataPlaneTracing.End(pending.Activity, status, completion.Term, completion.Offset);
        pending.Done.TrySetResult(new WriteOutcome(status, completion.Partition, completion.Term, completion.Offset, pending.Duplicate, null,
            status == WriteStatus.Acknowledged ? 0 : _options.Replication.RetryAfterMs, message));
    }

    /// <summary>
    /// Removes old segments where retention allows and records log sizes. Retention never removes
    /// a record that is not committed, nor, on a leader, one a follower has not matched yet.
    /// </summary>
    private void Housekeeping()
    {
        var sizes = new Dictionary<int, long>();
        foreach (var status in _node!.GetStatuses())
        {
            if (status.Role == ReplicaRole.None && status.LogEnd == 0)
            {
                continue;
            }

            var log = _store!.OpenPartition(status.Partition);
            var retainFrom = status.CommitOffset;
            foreach (var follower in status.Followers)
            {
                retainFrom = Math.Min(retainFrom, follower.MatchedOffset);
            }

            _store.ApplyRetention(log, retainFrom);
            sizes[status.Partition] = log.SizeBytes;
        }

        LogBytes = sizes;
    }

    /// <summary>Publishes the partitions' statuses for the API and metrics, at most every <see cref="StatusRefreshMs"/>.</summary>
    private void RefreshStatuses(ReplicaNode node)
    {
        var now = NowMs();
        if (now < _nextStatusRefreshMs)
        {
            return;
        }

        _statuses = node.GetStatuses();
        ReportSlowSyncs(node, _statuses, now);
        RefreshSubstitutes(node, _statuses, now);
        _nextStatusRefreshMs = now + StatusRefreshMs;
        if (now >= _nextSizesRefreshMs || HeldPartitions(_statuses) != LogBytes.Count)
        {
            // Sizes for the log-bytes gauge between housekeeping runs: reading them is cheap.
            var sizes = new Dictionary<int, long>();
            foreach (var status in _statuses)
            {
                if (status.Role != ReplicaRole.None || status.LogEnd > 0)
                {
                    sizes[status.Partition] = _store!.OpenPartition(status.Partition).SizeBytes;
                }
            }

            LogBytes = sizes;
            _nextSizesRefreshMs = now + SizesRefreshMs;
        }
    }

    /// <summary>
    /// Logs, once per term, a term this member leads that is still syncing (refusing writes) after
    /// <see cref="SlowSyncMs"/>, with what it waits for: a planned move should not refuse writes
    /// that long, and the line says which peer or step held it.
    /// </summary>
    private void ReportSlowSyncs(ReplicaNode node, IReadOnlyList<PartitionStatus> statuses, long now)
    {
        foreach (var status in statuses)
        {
            if (status.Role != ReplicaRole.Syncing)
            {
                _syncingSince.Remove(status.Partition);
                continue;
            }

            if (!_syncingSince.TryGetValue(status.Partition, out var since) || since.Term != status.Term)
            {
                _syncingSince[status.Partition] = (status.Term, now, false);
            }
            else if (!since.Reported && now - since.At >= SlowSyncMs)
            {
                _syncingSince[status.Partition] = since with { Reported = true };
                DataPlaneLog.SlowSync(_logger, status.Partition, status.Term, now - since.At, node.SyncWait(status.Partition) ?? "nothing");
            }
        }
    }

    /// <summary>Partitions this member holds a log of: the ones the log-bytes gauge shows (a new assignment changes them before the next timed refresh).</summary>
    private static int HeldPartitions(IReadOnlyList<PartitionStatus> statuses)
    {
        var held = 0;
        foreach (var status in statuses)
        {
            if (status.Role != ReplicaRole.None || status.LogEnd > 0)
            {
                held++;
            }
        }

        return held;
    }

    private void FailPending(string reason)
    {
        foreach (var pending in _pending.Values)
        {
            DataPlaneTracing.End(pending.Activity, WriteStatus.Stopping, 0, -1);
            pending.Done.TrySetResult(new WriteOutcome(WriteStatus.Stopping, -1, 0, -1, false, null, 1000, reason));
        }

        _pending.Clear();
        while (_inputs.Reader.TryRead(out var input))
        {
            switch (input)
            {
                case WriteInput write:
                    write.Done.TrySetResult(Refused(write.Request.Partition, WriteStatus.Stopping, null, 1000, reason));
                    break;
                case ReadInput read:
                    read.Done.TrySetResult(null);
                    break;
                case DeliveryReadInput delivery:
                    delivery.Done.TrySetResult(null);
                    break;
                case ConsumeInput consume:
                    consume.Done.TrySetResult(new ConsumeResult(ConsumeStatus.NotLeader, 0, 0, null));
                    break;
                case CommitWaitInput wait:
                    wait.Waiter.Done.TrySetResult(false);
                    break;
            }
        }
    }

    private static WriteOutcome Refused(int partition, WriteStatus status, string? leader, long retryAfterMs, string? message) =>
        new(status, partition, 0, -1, false, leader, retryAfterMs, message);

    private abstract record Input;

    private sealed record AssignmentInput(Assignment Assignment) : Input;

    private sealed record WriteInput(WriteRequest Request, TaskCompletionSource<WriteOutcome> Done, long StartedAt, Activity? Parent) : Input;

    private sealed record ReadInput(int Partition, long After, int Limit, ReadOnlyMemory<byte>? Key, bool FromConsumed, TaskCompletionSource<ReadOutcome?> Done) : Input;

    private sealed record PendingWrite(TaskCompletionSource<WriteOutcome> Done, long StartedAt, CommitLevel Level, bool Duplicate, Activity? Activity);
}
