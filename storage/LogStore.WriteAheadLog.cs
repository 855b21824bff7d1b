using System.Diagnostics;
using DataCluster.Storage.Files;
using DataCluster.Storage.Format;

namespace DataCluster.Storage;

/// <summary>What opening the store found in its write-ahead log and put back into partition logs.</summary>
/// <param name="Files">Write-ahead log files read.</param>
/// <param name="Entries">Valid entries read.</param>
/// <param name="RecordsReplayed">Records appended to partition logs that their segments had lost (or never received).</param>
/// <param name="CutFile">The file whose tail was torn, if any.</param>
/// <param name="CutPosition">Byte position of the first invalid entry in <paramref name="CutFile"/>.</param>
/// <param name="CutReason">Why that entry is invalid.</param>
public sealed record WalReplayReport(int Files, int Entries, long RecordsReplayed, string? CutFile, long CutPosition, RecoveryCutReason? CutReason)
{
    /// <summary>Nothing to replay.</summary>
    public static WalReplayReport None { get; } = new(0, 0, 0, null, 0, null);
}

/// <summary>
/// The store's write-ahead log (storage/README.md, "Write-ahead log"): under
/// <see cref="FsyncPolicy.Always"/> a group flush appends the records of every log it flushes to
/// one file and syncs that file once; segment files are synced at checkpoints. Opening the store
/// replays the log into the partition logs.
/// </summary>
public sealed partial class LogStore
{
    private readonly HashSet<PartitionLog> _walCovered = [];
    private WriteAheadLog? _wal;
    private Exception? _walFailure;

    /// <summary>What opening the store replayed from its write-ahead log.</summary>
    public WalReplayReport WalReplay { get; private set; } = WalReplayReport.None;

    private string WalDirectory => Path.Combine(Options.DataDirectory, "wal");

    /// <summary>
    /// Replays every write-ahead log file into the partition logs, syncs them, then starts a new
    /// file (under <see cref="FsyncPolicy.Always"/> with <see cref="LogStoreOptions.WriteAheadLog"/>)
    /// and deletes the old ones.
    /// </summary>
    private void OpenWriteAheadLog()
    {
        var files = WriteAheadLog.FilesIn(WalDirectory);
        if (files.Count > 0)
        {
            Replay(files);
        }

        if (Options.WriteAheadLog && Options.FsyncPolicy == FsyncPolicy.Always)
        {
            _wal = WriteAheadLog.Create(WalDirectory, files);
            _wal.DeleteRetired();
        }
        else if (files.Count > 0)
        {
            foreach (var path in files)
            {
                File.Delete(path);
            }

            DurableFile.SyncDirectory(WalDirectory);
        }
    }

    private void Replay(IReadOnlyList<string> files)
    {
        // Per partition, the entries after its last barrier: those are appends only, in order.
        var byPartition = new SortedDictionary<int, List<(string Path, WalEntry Entry)>>();
        var read = new List<(List<WalEntry> Entries, (long Position, FrameStatus Reason)? Tail)>();
        for (var i = 0; i < files.Count; i++)
        {
            read.Add((WriteAheadLog.Read(files[i], newest: i == files.Count - 1, out var tail), tail));
        }

        var entries = 0;
        (string Path, long Position, FrameStatus Reason)? cut = null;
        for (var i = 0; i < files.Count; i++)
        {
            if (read[i].Tail is { } torn)
            {
                if (read.Skip(i + 1).Any(r => r.Entries.Count > 0))
                {
                    // A later file gets entries only after this one's were all synced (a
                    // checkpoint rotates after the flushes that wrote them): damage, not a crash.
                    throw new LogCorruptedException(files[i], torn.Position, $"the write-ahead log entry here is invalid ({torn.Reason}) but a newer file holds entries");
                }

                cut = (files[i], torn.Position, torn.Reason);
            }

            foreach (var entry in read[i].Entries)
            {
                entries++;
                if (entry.Kind == WalEntryKind.Barrier)
                {
                    byPartition[entry.Partition] = [];
                }
                else
                {
                    if (!byPartition.TryGetValue(entry.Partition, out var list))
                    {
                        byPartition[entry.Partition] = list = [];
                    }

                    list.Add((files[i], entry));
                }
            }
        }

        var replayed = 0L;
        foreach (var (partition, list) in byPartition)
        {
            if (list.Count > 0)
            {
                replayed += ReplayInto(OpenPartition(partition), list);
            }
        }

        // Make what was replayed durable in the segments before the files that held it go.
        var batch = new FlushBatch();
        foreach (var log in _logs.Values)
        {
            log.PrepareFlush(batch, sync: true);
        }

        _workers.RunAsync(batch.Items).GetAwaiter().GetResult();
        foreach (var flushed in batch.Logs)
        {
            if (FirstFailure(batch, flushed) is { } failed)
            {
                throw new IOException($"partition {flushed.Log.Partition}: fsync after replaying the write-ahead log failed: {failed.Message}", failed);
            }

            flushed.Log.CompleteFlush(batch, flushed);
        }

        WalReplay = new WalReplayReport(files.Count, entries, replayed, cut?.Path, cut?.Position ?? 0, cut is { } c ? CutReason(c.Reason) : null);
        Metrics.WalReplayed(WalReplay);
    }

    /// <summary>Appends the records of <paramref name="entries"/> the log does not have; returns how many.</summary>
    private static long ReplayInto(PartitionLog log, List<(string Path, WalEntry Entry)> entries)
    {
        var replayed = 0L;
        foreach (var (path, entry) in entries)
        {
            var payload = entry.Payload.Span;
            var at = 0;
            while (at < payload.Length)
            {
                var position = entry.Position + WalFormat.EntryHeaderBytes + at;
                if (RecordCodec.TryReadFrame(payload[at..], out var info) != FrameStatus.Valid)
                {
                    throw new LogCorruptedException(path, position, $"partition {log.Partition}: a record inside a write-ahead log entry whose CRC matches is not valid");
                }

                if (info.Offset > log.NextOffset)
                {
                    // Every byte between the segments' synced end and these entries is in this log,
                    // so the segments lost them to a truncation whose barrier never became durable
                    // (the cut reached the file, the crash came before the next flush). Such a cut
                    // may stand: the records above it were being discarded.
                    return replayed;
                }

                if (info.Offset == log.NextOffset)
                {
                    try
                    {
                        log.Append(RecordCodec.Materialize(payload.Slice(at, info.Length)));
                    }
                    catch (ArgumentException e)
                    {
                        throw new LogCorruptedException(path, position, $"partition {log.Partition}: the write-ahead log's record does not fit the partition's log ({e.Message})");
                    }

                    replayed++;
                }

                at += info.Length;
            }
        }

        return replayed;
    }

    private static RecoveryCutReason CutReason(FrameStatus status) => status switch
    {
        FrameStatus.Zero => RecoveryCutReason.ZeroFilled,
        FrameStatus.BadLength => RecoveryCutReason.BadLength,
        FrameStatus.BadCrc => RecoveryCutReason.BadCrc,
        _ => RecoveryCutReason.Incomplete,
    };

    /// <summary>
    /// A cut of <paramref name="log"/> was just synced, before any new byte is written after it:
    /// under a write-ahead log, the log's written segment bytes are synced and a barrier is
    /// synced into the write-ahead log, so replay never puts the removed records back after new
    /// ones. Blocks on two fsyncs at most; truncations are rare (a follower dropping a divergent suffix).
    /// </summary>
    internal void CutDurable(PartitionLog log) => Barrier(log);

    /// <summary>Before <paramref name="log"/> is reset: the same barrier, so replay never adds old records to the new start.</summary>
    internal void BeforeReset(PartitionLog log) => Barrier(log);

    private void Barrier(PartitionLog log)
    {
        if (_wal is null)
        {
            return;
        }

        ThrowIfWalFailed();
        log.SyncWrittenSegments();
        try
        {
            _wal.AppendBarrier(log.Partition);
            _wal.WritePending();
            var start = Stopwatch.GetTimestamp();
            DurableFile.Sync(_wal.Handle);
            Metrics.Fsync(start);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _walFailure = e;
            throw;
        }

        _walCovered.Remove(log);
    }

    /// <summary>
    /// Once the write-ahead log has grown past <see cref="LogStoreOptions.WalCheckpointBytes"/>:
    /// syncs every segment it covers, then starts a new file and deletes the old one.
    /// </summary>
    private async ValueTask CheckpointIfDueAsync()
    {
        if (_wal is null || _wal.Length < Options.WalCheckpointBytes)
        {
            return;
        }

        var batch = new FlushBatch();
        Exception? failure = null;
        foreach (var log in _walCovered)
        {
            try
            {
                log.PrepareFlush(batch, sync: true);
            }
            catch (IOException e)
            {
                // A log that failed since: its records stay in the write-ahead log for the next
                // open, so the file cannot be retired.
                failure ??= e;
            }
        }

        await _workers.RunAsync(batch.Items).ConfigureAwait(false);
        foreach (var flushed in batch.Logs)
        {
            if (FirstFailure(batch, flushed) is { } failed)
            {
                flushed.Log.FailFlush(failed);
                failure ??= new IOException($"partition {flushed.Log.Partition}: fsync at a write-ahead log checkpoint failed: {failed.Message}", failed);
                continue;
            }

            flushed.Log.CompleteFlush(batch, flushed);
            if (flushed.Log.Dirty)
            {
                // Index entries of the records just synced are written by its next flush.
                _dirty.Add(flushed.Log);
            }
        }

        if (failure is not null)
        {
            // The write-ahead log keeps the records the failed logs may have lost; the flush that
            // called this succeeded, so report it as a failed checkpoint only through the logs.
            return;
        }

        _walCovered.Clear();
        try
        {
            _wal.Rotate();
            _wal.DeleteRetired();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _walFailure = e;
            throw;
        }

        Metrics.WalCheckpoint();
    }

    private void ThrowIfWalFailed()
    {
        if (_walFailure is not null)
        {
            throw new IOException($"{WalDirectory}: an earlier write or fsync of the write-ahead log failed ({_walFailure.Message}); what reached the disk is unknown, so the store refuses further flushes. Reopen the store to recover from its files.", _walFailure);
        }
    }
}
