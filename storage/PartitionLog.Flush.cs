using DataCluster.Storage.Files;

namespace DataCluster.Storage;

/// <summary>The flush path of a <see cref="PartitionLog"/>, driven by its <see cref="LogStore"/>.</summary>
public sealed partial class PartitionLog
{
    /// <summary>Path of the active segment file, for tests that tear it.</summary>
    internal string ActiveSegmentPath => _segments[^1].FilePath;

    /// <summary>Bytes of the active segment an fsync has covered, for tests that tear what came after.</summary>
    internal long ActiveSegmentSyncedLength => _segments[^1].SyncedLength;

    /// <summary>
    /// First phase of a flush, on the caller's thread: syncs a pending cut (so that no new byte
    /// lands where truncated ones were before the truncation is durable), hands pending bytes to
    /// the OS, persists index entries of synced records, and adds the fsyncs this log needs to
    /// <paramref name="batch"/>: data of every segment written since its last sync when
    /// <paramref name="sync"/> (and of sealed segments always, so they can be sealed), seal
    /// trailers, and the directory after a segment was created or deleted.
    /// </summary>
    /// <remarks>
    /// With <paramref name="wal"/> (the store's write-ahead log, which the caller syncs once for
    /// the whole batch), the pending records are copied into it as they are written and segment
    /// data is synced only where the write-ahead log does not cover it: sealed segments (so they
    /// can be sealed) and bytes an append wrote through since the last full sync.
    /// </remarks>
    internal void PrepareFlush(FlushBatch batch, bool sync, WriteAheadLog? wal = null)
    {
        ThrowIfUnusable();
        var first = batch.Items.Count;
        var syncData = sync && (wal is null || _writtenOutsideWal);
        var toWal = 0L;
        Guard(() =>
        {
            var taken = WriteOut(syncData ? null : wal);
            toWal = syncData ? 0 : taken;
            for (var i = FirstSegmentWithWork(); i < _segments.Count; i++)
            {
                var segment = _segments[i];
                if (segment.PersistIndex() is { } indexHandle)
                {
                    batch.Items.Add(new SyncItem(SyncKind.Seal, indexHandle, null, segment, 0));
                }

                // A new segment's header is synced at once too: retention may delete the segment
                // before it only once that header is durable.
                if ((syncData || segment.Sealed || segment.SyncedLength == 0) && segment.UnsyncedHandle is { } handle)
                {
                    batch.Items.Add(new SyncItem(SyncKind.Data, handle, null, segment, segment.WrittenLength));
                }
            }
        });

        if (_directoryUnsynced)
        {
            batch.Items.Add(new SyncItem(SyncKind.Directory, null, _directory, null, 0));
        }

        batch.Logs.Add(new FlushedLog(this, NextOffset, first, batch.Items.Count - first, UsedWal: wal is not null && toWal > 0, SyncedAll: syncData));
    }

    /// <summary>Second phase, once every fsync of <paramref name="flushed"/> succeeded: what they covered is durable.</summary>
    internal void CompleteFlush(FlushBatch batch, FlushedLog flushed)
    {
        for (var i = flushed.FirstItem; i < flushed.FirstItem + flushed.ItemCount; i++)
        {
            var item = batch.Items[i];
            switch (item.Kind)
            {
                case SyncKind.Data:
                    item.Segment!.MarkSynced(item.Length);
                    break;
                case SyncKind.Seal:
                    item.Segment!.MarkSealDurable();
                    break;
                case SyncKind.Directory:
                    _directoryUnsynced = false;
                    break;
            }
        }

        if (flushed.SyncedAll)
        {
            _writtenOutsideWal = false;
        }

        _durableOffset = flushed.NextOffset;
    }

    /// <summary>
    /// fsyncs every segment byte written so far (not the pending ones), on the caller's thread:
    /// afterwards the segment files alone hold everything the write-ahead log has of this log.
    /// </summary>
    internal void SyncWrittenSegments()
    {
        Guard(() =>
        {
            foreach (var segment in _segments)
            {
                if (segment.UnsyncedHandle is { } handle)
                {
                    var start = System.Diagnostics.Stopwatch.GetTimestamp();
                    DurableFile.Sync(handle);
                    _store.Metrics.Fsync(start);
                    segment.MarkSynced(segment.WrittenLength);
                }
            }

            if (_directoryUnsynced)
            {
                DurableFile.SyncDirectory(_directory);
                _directoryUnsynced = false;
            }
        });
    }

    /// <summary>An fsync of this log failed: the page cache may have dropped the data it covered, so nothing can be trusted without reopening.</summary>
    internal void FailFlush(Exception failure) => _failure ??= failure;

    /// <summary>Closes the files; with <paramref name="discardPending"/> bytes not yet written are dropped, as a crash would.</summary>
    internal void CloseFiles(bool discardPending)
    {
        if (!discardPending && _failure is null)
        {
            WriteOut(null);
        }

        foreach (var segment in _segments)
        {
            segment.Dispose();
        }

        _disposed = true;
    }

    /// <summary>Hands pending bytes to the OS without an fsync (what a write-through or an unsynced flush does), for tests that then crash.</summary>
    internal void WritePendingForTest() => WriteOut(null);

    /// <summary>True when a segment still has index entries to persist or a seal to write.</summary>
    private bool NeedsIndexWork()
    {
        for (var i = FirstSegmentWithWork(); i < _segments.Count; i++)
        {
            if (_segments[i].IndexBehind)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Hands pending bytes to the OS, after syncing a pending cut, and returns how many bytes it
    /// took in: copied into <paramref name="wal"/> when given, else written. With the write-ahead
    /// log, the active segment's bytes reach its file only once <see cref="DeferredWriteBytes"/>
    /// of them are waiting (or at a checkpoint, a cut, a roll or a close): the write-ahead log
    /// already makes them durable, and one write per record batch and partition cost about as
    /// much CPU as the fdatasync of the whole flush. Without it, while the store keeps one, they
    /// are bytes it does not cover, so the next flush syncs this log's segments.
    /// </summary>
    private long WriteOut(WriteAheadLog? wal)
    {
        if (_cutUnsynced is { } cut)
        {
            cut.SyncAfterCut();
            _cutUnsynced = null;

            // Before any byte lands past the cut: the write-ahead log must stop offering the
            // records the cut removed.
            _store.CutDurable(this);
        }

        var taken = 0L;
        var written = 0L;
        var active = _segments.Count - 1;
        for (var i = FirstSegmentWithWork(); i < _segments.Count; i++)
        {
            var segment = _segments[i];
            if (wal is not null && segment.PendingOutsideWal.Length > 0)
            {
                taken += segment.PendingOutsideWal.Length;
                wal.AppendRecords(Partition, segment.PendingOutsideWal);
                segment.MarkPendingInWal();
            }

            if (wal is null || i < active || segment.Sealed || segment.PendingBytes >= DeferredWriteBytes)
            {
                written += segment.PendingBytes;
                segment.WritePending();
            }
        }

        if (wal is null && written > 0)
        {
            _writtenOutsideWal = true;
        }

        return wal is null ? written : taken;
    }

    /// <summary>Segments before the last durably sealed one need nothing: sealing goes oldest first.</summary>
    private int FirstSegmentWithWork()
    {
        var i = _segments.Count - 1;
        while (i > 0 && !_segments[i - 1].SealDurable)
        {
            i--;
        }

        return i;
    }
}
