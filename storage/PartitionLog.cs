using DataCluster.Storage.Files;

namespace DataCluster.Storage;

/// <summary>
/// An <see cref="IPartitionLog"/> on files: a directory of segment files named by base offset,
/// each record with a CRC32C, a sparse offset index per segment, and an in-memory cache of the
/// most recent records. Opened through <see cref="LogStore.OpenPartition"/>; the format and what
/// recovery does are in storage/README.md.
/// </summary>
/// <remarks>
/// <para>Not thread-safe, like every <see cref="IPartitionLog"/>: one caller at a time, and not
/// while its <see cref="LogStore"/> is flushing it. <see cref="Append"/> and
/// <see cref="Truncate"/> do not block on the disk in the common case (appends are buffered;
/// a truncation below written data truncates the files without an fsync, which the next flush
/// issues before any new byte is written there). <see cref="Reset"/> syncs before it returns.</para>
/// <para>Under <see cref="FsyncPolicy.Interval"/> and <see cref="FsyncPolicy.Never"/>,
/// <see cref="DurableOffset"/> counts what was handed to the operating system: it survives a
/// crash of this process, not a power loss.</para>
/// <para>The log keeps the record instances given to <see cref="Append"/> for reads of recent
/// data: callers must not change the bytes behind their key and body afterwards.</para>
/// </remarks>
public sealed partial class PartitionLog : IPartitionLog
{
    /// <summary>
    /// Pending bytes of one partition beyond which an append hands them to the OS at once (no
    /// fsync): bounds the memory a large catch-up batch holds between flushes, while keeping
    /// writes large.
    /// </summary>
    private const int WriteThroughBytes = 1024 * 1024;

    /// <summary>
    /// Under the write-ahead log, the active segment's pending bytes are written to its file once
    /// this many are waiting (see WriteOut): about 30 records of 256 bytes per write, and below
    /// the first buffer a segment rents, so holding them costs no extra memory.
    /// </summary>
    private const int DeferredWriteBytes = 12 * 1024;

    private readonly LogStore _store;
    private readonly string _directory;
    private readonly int _indexIntervalBytes;
    private readonly long _segmentBytes;
    private readonly TailCache _cache;
    private readonly List<Segment> _segments;
    private List<TermStart> _terms;
    private long _termBefore;
    private long _durableOffset;
    private Segment? _cutUnsynced;
    private bool _directoryUnsynced;
    private bool _writtenOutsideWal;
    private Exception? _failure;
    private bool _disposed;

    internal PartitionLog(LogStore store, int partition, string directory, LogStoreOptions options)
    {
        _store = store;
        _directory = directory;
        Partition = partition;
        _indexIntervalBytes = options.IndexIntervalBytes;
        _segmentBytes = options.SegmentBytes;
        _cache = new TailCache(options.TailCacheBytes);
        var recovered = LogRecovery.Recover(directory, partition, options.IndexIntervalBytes);
        _segments = recovered.Segments;
        _terms = recovered.Terms;
        _termBefore = recovered.TermBefore;
        _durableOffset = NextOffset;
        Recovery = recovered.Report;
    }

    /// <inheritdoc/>
    public int Partition { get; }

    /// <summary>The directory of this partition's files.</summary>
    public string Directory => _directory;

    /// <summary>What opening the log found and cut.</summary>
    public RecoveryReport Recovery { get; }

    /// <inheritdoc/>
    public long StartOffset => _segments[0].BaseOffset;

    /// <inheritdoc/>
    public long NextOffset => _segments[^1].NextOffset;

    /// <inheritdoc/>
    public long DurableOffset => _durableOffset;

    /// <inheritdoc/>
    public long LastTerm => _terms.Count > 0 ? _terms[^1].Term : _termBefore;

    /// <inheritdoc/>
    public IReadOnlyList<TermStart> Terms => _terms.ToArray();

    /// <summary>Bytes of all segment files, including bytes not yet written.</summary>
    public long SizeBytes
    {
        get
        {
            var total = 0L;
            foreach (var segment in _segments)
            {
                total += segment.Length;
            }

            return total;
        }
    }

    /// <summary>Number of segment files.</summary>
    public int SegmentCount => _segments.Count;

    /// <summary>True when appends or truncations since the last flush are not yet durable.</summary>
    internal bool Dirty => _durableOffset != NextOffset || _cutUnsynced is not null || _directoryUnsynced || NeedsIndexWork();

    /// <inheritdoc/>
    public long TermAt(long offset)
    {
        if (offset == StartOffset - 1)
        {
            return _termBefore;
        }

        if (offset < StartOffset || offset >= NextOffset)
        {
            return -1;
        }

        // The last term start at or before the offset (a term before the log may share its start).
        var low = 0;
        var high = _terms.Count - 1;
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (_terms[middle].StartOffset <= offset)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return _terms[low].Term;
    }

    /// <inheritdoc/>
    public void Append(LogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ThrowIfUnusable();
        if (record.Offset != NextOffset)
        {
            throw new ArgumentException($"partition {Partition}: record offset {record.Offset} is not the next offset {NextOffset}; append records in order with no gap, or truncate first", nameof(record));
        }

        if (record.Term < LastTerm)
        {
            throw new ArgumentException($"partition {Partition}: record term {record.Term} is below the last term {LastTerm}; a log's terms never go down", nameof(record));
        }

        if ((ulong)(record.Offset - _segments[^1].BaseOffset) >= uint.MaxValue)
        {
            // Relative offsets are 32-bit in the index; roll long before that.
            Roll();
        }

        var active = _segments[^1];
        if (active.Sealed || (active.HasRecords && active.Length >= _segmentBytes))
        {
            active = Roll();
        }

        var size = active.Append(record, _indexIntervalBytes);
        if (_terms.Count == 0 || _terms[^1].Term != record.Term)
        {
            _terms.Add(new TermStart(record.Term, record.Offset));
        }

        _cache.Add(record, size);
        _store.Appended(this, size);
        if (active.PendingOutsideWal.Length >= WriteThroughBytes)
        {
            Guard(() => WriteOut(null));
        }
    }

    /// <inheritdoc/>
    public void Truncate(long nextOffset)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nextOffset, StartOffset);
        ThrowIfUnusable();
        if (nextOffset >= NextOffset)
        {
            return;
        }

        var termBefore = TermAt(nextOffset - 1);
        Guard(() =>
        {
            // Bytes the write-ahead log holds may wait in memory (see WriteOut). The cut must
            // reach them in the file, so that it is synced and a barrier keeps replay from putting
            // the removed records back; the ones kept are synced before that barrier.
            WriteOut(null);
            var deleted = false;
            while (_segments.Count > 1 && _segments[^1].BaseOffset > nextOffset)
            {
                if (ReferenceEquals(_cutUnsynced, _segments[^1]))
                {
                    _cutUnsynced = null;
                }

                _segments[^1].Delete();
                _store.Metrics.SegmentDeleted("truncate");
                _segments.RemoveAt(_segments.Count - 1);
                deleted = true;
            }

            if (deleted)
            {
                // Later segments must be gone for good before this one shrinks, or a crash could
                // leave a segment that starts past the end of the one before it.
                DurableFile.SyncDirectory(_directory);
            }

            var segment = _segments[^1];
            if (segment.CutAt(nextOffset, termBefore))
            {
                _cutUnsynced = segment;
            }
        });

        var keep = _termBefore > 0 ? 1 : 0;
        while (_terms.Count > keep && _terms[^1].StartOffset >= nextOffset)
        {
            _terms.RemoveAt(_terms.Count - 1);
        }

        _cache.RemoveFrom(nextOffset);
        _durableOffset = Math.Min(_durableOffset, nextOffset);
        _store.MarkDirty(this);
    }

    /// <inheritdoc/>
    public void Reset(long startOffset, long termBefore)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(termBefore);
        ThrowIfUnusable();
        // Under a write-ahead log, its entries of this log must be made unnecessary (segments
        // synced, then a barrier) before the segments go, or a crash mid-reset would replay old
        // records onto the new start.
        _store.BeforeReset(this);
        Guard(() =>
        {
            ResetMarker.Write(_directory, startOffset, termBefore);
            for (var i = _segments.Count - 1; i >= 0; i--)
            {
                _segments[i].Delete();
                _store.Metrics.SegmentDeleted("reset");
            }

            _segments.Clear();
            var fresh = Segment.Create(_directory, startOffset, termBefore);
            _segments.Add(fresh);
            fresh.SyncAfterCut();
            DurableFile.SyncDirectory(_directory);
            ResetMarker.Delete(_directory);
        });

        _termBefore = termBefore;
        _terms = termBefore > 0 ? [new TermStart(termBefore, startOffset)] : [];
        _cache.Clear();
        _cutUnsynced = null;
        _durableOffset = Math.Min(_durableOffset, startOffset);
        _store.MarkDirty(this);
    }

    /// <inheritdoc/>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _store.FlushAsync([this], cancellationToken);

    /// <summary>Writes and syncs what is pending, closes the files and releases the log from its store.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _store.Close(this);
    }

    private Segment Roll()
    {
        var active = _segments[^1];
        var next = Segment.Create(_directory, active.NextOffset, LastTerm);
        active.Seal();
        _segments.Add(next);
        _directoryUnsynced = true;
        return next;
    }

    /// <summary>Runs a step that changes files; if it fails, the log's files and memory may disagree, so the log refuses further use.</summary>
    private void Guard(Action step)
    {
        try
        {
            step();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            _failure = exception;
            throw;
        }
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failure is not null)
        {
            throw new IOException($"partition {Partition}: an earlier write or fsync failed ({_failure.Message}); what reached the disk is unknown, so the log refuses further use. Reopen the store to recover the log from its files.", _failure);
        }
    }
}
