using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using DataCluster.Storage.Files;

namespace DataCluster.Storage;

/// <summary>
/// The partition logs and replica state of one member in a data directory: opens a
/// <see cref="PartitionLog"/> per partition on demand, flushes many of them together (group
/// commit, fsyncs in parallel), and applies retention. Holds an exclusive lock on the directory
/// while open.
/// </summary>
/// <remarks>
/// Not thread-safe: one caller at a time (the agent's replication loop), and the logs it opened
/// are not to be used while one of its flushes runs. Layout: <c>&lt;DataDirectory&gt;/.lock</c>,
/// <c>replica-state</c>, and <c>partitions/&lt;partition&gt;/</c> with the segment and index files.
/// </remarks>
public sealed partial class LogStore : IDisposable
{
    private readonly Dictionary<int, PartitionLog> _logs = [];
    private readonly HashSet<PartitionLog> _dirty = [];
    private readonly HashSet<PartitionLog> _unsynced = [];
    private readonly DirectoryLock _lock;
    private readonly SyncWorkers _workers;
    private readonly TimeProvider _time;
    private readonly string _partitionsDirectory;
    private FileReplicaStateStore? _replicaState;
    private long _lastSync;
    private long _appendedBytes;
    private long _appendedRecords;
    private bool _disposed;

    private LogStore(LogStoreOptions options, TimeProvider time, IMeterFactory? meterFactory)
    {
        Options = options;
        _time = time;
        DurableFile.CreateDirectory(options.DataDirectory);
        _lock = DirectoryLock.Acquire(options.DataDirectory);
        _partitionsDirectory = Path.Combine(options.DataDirectory, "partitions");
        DurableFile.CreateDirectory(_partitionsDirectory);
        Metrics = new StorageMetrics(meterFactory);
        _workers = new SyncWorkers(options.FlushParallelism, Metrics);
        _lastSync = time.GetTimestamp();
    }

    /// <summary>The options the store was opened with.</summary>
    public LogStoreOptions Options { get; }

    /// <summary>The store's instruments.</summary>
    public StorageMetrics Metrics { get; }

    /// <summary>The logs opened so far.</summary>
    public IReadOnlyCollection<PartitionLog> OpenLogs => _logs.Values;

    /// <summary>The member's replica state, kept in <c>replica-state</c> in the data directory.</summary>
    public FileReplicaStateStore ReplicaState => _replicaState ??= new FileReplicaStateStore(Path.Combine(Options.DataDirectory, "replica-state"));

    /// <summary>
    /// Opens the store: validates <paramref name="options"/>, creates the directory if needed and
    /// locks it. Partition logs are opened (and recovered) by <see cref="OpenPartition"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The options are not valid; the message lists every problem and its fix.</exception>
    /// <exception cref="IOException">The directory is locked by another store, or cannot be created.</exception>
    /// <exception cref="LogCorruptedException">Replaying the write-ahead log met damage a crash cannot explain.</exception>
    public static LogStore Open(LogStoreOptions options, TimeProvider? timeProvider = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = LogStoreOptionsValidator.Problems(options);
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid storage options: " + string.Join("; ", problems), nameof(options));
        }

        var store = new LogStore(options, timeProvider ?? TimeProvider.System, meterFactory);
        try
        {
            store.OpenWriteAheadLog();
        }
        catch
        {
            store.Crash();
            throw;
        }

        return store;
    }

    /// <summary>Partitions that have a directory in the store, in order.</summary>
    public IReadOnlyList<int> PartitionsOnDisk()
    {
        var partitions = new List<int>();
        foreach (var path in Directory.EnumerateDirectories(_partitionsDirectory))
        {
            if (int.TryParse(Path.GetFileName(path), NumberStyles.None, CultureInfo.InvariantCulture, out var partition))
            {
                partitions.Add(partition);
            }
        }

        partitions.Sort();
        return partitions;
    }

    /// <summary>
    /// The log of <paramref name="partition"/>, opened and recovered on first use (see its
    /// <see cref="PartitionLog.Recovery"/>); the same instance until it is disposed.
    /// </summary>
    /// <exception cref="LogCorruptedException">The log's files hold damage a crash cannot explain; the message names the file and the fix.</exception>
    public PartitionLog OpenPartition(int partition)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        if (!_logs.TryGetValue(partition, out var log))
        {
            var directory = Path.Combine(_partitionsDirectory, partition.ToString(CultureInfo.InvariantCulture));
            log = new PartitionLog(this, partition, directory, Options);
            Metrics.Recovered(log.Recovery);
            _logs.Add(partition, log);
        }

        return log;
    }

    /// <summary>Flushes every log with appends, truncations or index work not yet durable (group commit).</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => FlushAsync(_dirty.ToArray(), cancellationToken);

    /// <summary>
    /// Flushes <paramref name="logs"/> together: writes what each has pending, then issues all
    /// their fsyncs at once (up to <see cref="LogStoreOptions.FlushParallelism"/> in parallel),
    /// and advances each one's <see cref="IPartitionLog.DurableOffset"/> once all of its fsyncs
    /// succeeded. A failed fsync makes that log refuse further use (see <see cref="PartitionLog"/>).
    /// </summary>
    /// <exception cref="IOException">A write or fsync failed; logs whose fsyncs all succeeded are flushed.</exception>
    public async ValueTask FlushAsync(IReadOnlyCollection<IPartitionLog> logs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(logs);
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        var start = Stopwatch.GetTimestamp();
        var sync = Options.FsyncPolicy switch
        {
            FsyncPolicy.Always => true,
            FsyncPolicy.Interval => _time.GetElapsedTime(_lastSync) >= Options.FsyncInterval,
            _ => false,
        };

        var wal = sync ? _wal : null;
        if (wal is not null)
        {
            ThrowIfWalFailed();
        }

        var batch = new FlushBatch();
        foreach (var log in Targets(logs, sync))
        {
            log.PrepareFlush(batch, sync, wal);
        }

        SyncItem? walSync = null;
        if (wal is not null && wal.HasPending)
        {
            // One write and one fsync for the records of every log in the batch.
            try
            {
                wal.WritePending();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _walFailure = e;
                throw;
            }

            walSync = new SyncItem(SyncKind.WriteAheadLog, wal.Handle, null, null, wal.Length);
            batch.Items.Add(walSync);
        }

        await _workers.RunAsync(batch.Items).ConfigureAwait(false);
        if (walSync?.Failure is { } walFailed)
        {
            _walFailure = walFailed;
        }

        Exception? failure = null;
        foreach (var flushed in batch.Logs)
        {
            var failed = FirstFailure(batch, flushed) ?? (flushed.UsedWal ? walSync?.Failure : null);
            if (failed is not null)
            {
                flushed.Log.FailFlush(failed);
                failure ??= new IOException($"partition {flushed.Log.Partition}: fsync failed: {failed.Message}", failed);
                continue;
            }

            flushed.Log.CompleteFlush(batch, flushed);
            if (flushed.UsedWal)
            {
                _walCovered.Add(flushed.Log);
            }
            if (!flushed.Log.Dirty)
            {
                _dirty.Remove(flushed.Log);
            }

            if (sync)
            {
                _unsynced.Remove(flushed.Log);
            }
            else if (Options.FsyncPolicy == FsyncPolicy.Interval)
            {
                _unsynced.Add(flushed.Log);
            }
        }

        if (sync)
        {
            _lastSync = _time.GetTimestamp();
        }

        Metrics.Appended(_appendedBytes, _appendedRecords);
        _appendedBytes = _appendedRecords = 0;
        Metrics.Flush(start);
        if (failure is not null)
        {
            throw failure;
        }

        await CheckpointIfDueAsync().ConfigureAwait(false);
    }

    /// <summary>Flushes and closes every log and releases the directory lock.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        // One group flush for all (a close fsyncs whatever the policy), then close the files.
        var logs = _logs.Values.ToArray();
        var batch = new FlushBatch();
        foreach (var log in logs)
        {
            try
            {
                log.PrepareFlush(batch, sync: true);
            }
            catch (IOException)
            {
                // That log already refuses use; the others are still flushed.
            }
        }

        _workers.RunAsync(batch.Items).GetAwaiter().GetResult();
        var allSynced = batch.Logs.Count == logs.Length;
        foreach (var flushed in batch.Logs)
        {
            if (FirstFailure(batch, flushed) is null)
            {
                flushed.Log.CompleteFlush(batch, flushed);
            }
            else
            {
                allSynced = false;
            }
        }

        foreach (var log in logs)
        {
            log.CloseFiles(discardPending: true);
        }

        // Every segment synced: the write-ahead log holds nothing they lack. Otherwise it stays
        // for the next open to replay.
        CloseWal(delete: allSynced && _walFailure is null);

        _logs.Clear();
        Release();
    }

    /// <summary>Simulates a crash for tests: closes every file without writing or syncing anything pending.</summary>
    internal void Crash()
    {
        foreach (var log in _logs.Values)
        {
            log.CloseFiles(discardPending: true);
        }

        _wal?.Dispose();
        _wal = null;

        _logs.Clear();
        Release();
    }

    internal void Appended(PartitionLog log, int bytes)
    {
        _appendedBytes += bytes;
        _appendedRecords++;
        _dirty.Add(log);
    }

    internal void MarkDirty(PartitionLog log) => _dirty.Add(log);

    /// <summary>Flushes <paramref name="log"/> with an fsync whatever the policy (a clean close loses nothing), then closes it.</summary>
    internal void Close(PartitionLog log)
    {
        try
        {
            var batch = new FlushBatch();
            log.PrepareFlush(batch, sync: true);
            _workers.RunInline(batch.Items);
            if (FirstFailure(batch, batch.Logs[0]) is { } failed)
            {
                log.FailFlush(failed);
            }
            else
            {
                log.CompleteFlush(batch, batch.Logs[0]);
            }
        }
        catch (IOException)
        {
            // The log already refuses use; closing must still release its files.
        }
        finally
        {
            log.CloseFiles(discardPending: true);
            _logs.Remove(log.Partition);
            _dirty.Remove(log);
            _unsynced.Remove(log);
            _walCovered.Remove(log);
        }
    }

    private static Exception? FirstFailure(FlushBatch batch, FlushedLog flushed)
    {
        for (var i = flushed.FirstItem; i < flushed.FirstItem + flushed.ItemCount; i++)
        {
            if (batch.Items[i].Failure is { } failure)
            {
                return failure;
            }
        }

        return null;
    }

    /// <summary>The logs to flush: the ones asked for and, when this flush syncs under Interval, every log written since the last sync.</summary>
    private IEnumerable<PartitionLog> Targets(IReadOnlyCollection<IPartitionLog> logs, bool sync)
    {
        var seen = new HashSet<PartitionLog>();
        foreach (var log in logs)
        {
            if (log is not PartitionLog owned || !_logs.TryGetValue(owned.Partition, out var mine) || !ReferenceEquals(mine, owned))
            {
                throw new ArgumentException($"partition {log?.Partition}: this log was not opened by this store (or was closed); flush it through its own store", nameof(logs));
            }

            if (seen.Add(owned))
            {
                yield return owned;
            }
        }

        if (sync)
        {
            foreach (var log in _unsynced)
            {
                if (seen.Add(log))
                {
                    yield return log;
                }
            }
        }
    }

    private void CloseWal(bool delete)
    {
        try
        {
            _wal?.Close(delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The files stay; the next open replays them, which is harmless.
        }

        _wal = null;
    }

    private void Release()
    {
        _disposed = true;
        _workers.Dispose();
        _lock.Dispose();
        Metrics.Dispose();
    }
}
