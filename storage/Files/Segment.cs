using System.Buffers.Binary;
using DataCluster.Storage.Format;
using Microsoft.Win32.SafeHandles;

namespace DataCluster.Storage.Files;

/// <summary>
/// One segment of a partition log: the file of records from <see cref="BaseOffset"/> on, its
/// offset index (in memory, and in its index file for what is known durable), and the bytes
/// appended but not yet written. Not thread-safe: owned by one <see cref="PartitionLog"/>.
/// </summary>
/// <remarks>
/// Lengths: <see cref="Length"/> counts every byte including the ones still in memory;
/// <see cref="WrittenLength"/> those handed to the OS; <see cref="SyncedLength"/> those an fsync
/// has covered. Index entries reach the index file only once the record they point at is synced,
/// so after a crash every persisted entry points at an intact record and recovery scans only the
/// bytes after the last one.
/// </remarks>
internal sealed partial class Segment : IDisposable
{
    private readonly PooledBuffer _pending = new();
    private List<IndexEntry>? _entries;
    private SafeFileHandle? _handle;
    private SafeFileHandle? _indexHandle;
    private int _entriesPersisted;
    private long _bytesSinceEntry;

    // How many of the pending bytes (from their start) are already in the store's write-ahead log.
    private int _pendingInWal;

    private Segment(string directory, long baseOffset, long termBefore)
    {
        BaseOffset = baseOffset;
        TermBefore = termBefore;
        LastTerm = termBefore;
        NextOffset = baseOffset;
        FilePath = Path.Combine(directory, SegmentFormat.SegmentFileName(baseOffset));
        IndexPath = Path.Combine(directory, SegmentFormat.IndexFileName(baseOffset));
    }

    public long BaseOffset { get; }

    /// <summary>Term of the record before <see cref="BaseOffset"/> when the segment was created.</summary>
    public long TermBefore { get; }

    public string FilePath { get; }

    public string IndexPath { get; }

    public long NextOffset { get; private set; }

    public long LastTerm { get; private set; }

    /// <summary>Largest record timestamp seen in this segment (on recovery of an unsealed segment, in its scanned tail); retention ages a segment by it.</summary>
    public long LastTimestamp { get; private set; } = long.MinValue;

    public long WrittenLength { get; private set; }

    public long SyncedLength { get; private set; }

    public long Length => WrittenLength + _pending.Count;

    public bool HasRecords => NextOffset > BaseOffset;

    /// <summary>No more appends: a later segment exists.</summary>
    public bool Sealed { get; private set; }

    /// <summary>The index file ends with a valid seal trailer that an fsync has covered.</summary>
    public bool SealDurable { get; private set; }

    /// <summary>Creates the segment file and its index file, each with its header (not yet synced).</summary>
    public static Segment Create(string directory, long baseOffset, long termBefore)
    {
        var segment = new Segment(directory, baseOffset, termBefore) { _entries = [] };
        Span<byte> header = stackalloc byte[SegmentFormat.SegmentHeaderBytes];
        SegmentFormat.WriteSegmentHeader(header, baseOffset, termBefore);
        segment._handle = File.OpenHandle(segment.FilePath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
        RandomAccess.Write(segment._handle, header, 0);
        segment.WrittenLength = header.Length;
        segment.CreateIndexFile();
        return segment;
    }

    /// <summary>A segment recovery has checked: its valid length, records and index entries are known, and its bytes synced.</summary>
    public static Segment Recovered(string directory, long baseOffset, long termBefore, RecoveredSegment state)
    {
        return new Segment(directory, baseOffset, termBefore)
        {
            NextOffset = state.NextOffset,
            LastTerm = state.LastTerm,
            LastTimestamp = state.LastTimestamp,
            WrittenLength = state.Length,
            SyncedLength = state.Length,
            _entries = state.Entries,
            _entriesPersisted = state.EntriesPersisted,
            _bytesSinceEntry = state.BytesSinceEntry,
            _indexHandle = state.IndexHandle,
            Sealed = state.Sealed,
            SealDurable = state.SealDurable,
        };
    }

    /// <summary>Encodes <paramref name="record"/> at the end of the pending bytes; indexes it when due. Returns its encoded size.</summary>
    public int Append(LogRecord record, int indexIntervalBytes)
    {
        var size = RecordCodec.SizeOf(record, out var contentTypeBytes, out var producerIdBytes);
        RecordCodec.Write(record, contentTypeBytes, producerIdBytes, _pending.GetSpan(size));
        var position = Length;
        if (!HasRecords || record.Term != LastTerm || _bytesSinceEntry >= indexIntervalBytes)
        {
            Entries.Add(new IndexEntry((uint)(record.Offset - BaseOffset), (uint)position, record.Term));
            _bytesSinceEntry = 0;
        }

        _pending.Advance(size);
        _bytesSinceEntry += size;
        NextOffset = record.Offset + 1;
        LastTerm = record.Term;
        LastTimestamp = Math.Max(LastTimestamp, record.Timestamp);
        return size;
    }

    /// <summary>How many bytes are not yet handed to the OS.</summary>
    public int PendingBytes => _pending.Count;

    /// <summary>The pending bytes not yet copied into the write-ahead log (whole records: copies are made at flushes).</summary>
    public ReadOnlySpan<byte> PendingOutsideWal => _pending.Written[_pendingInWal..];

    /// <summary>Every pending byte is now in the write-ahead log too.</summary>
    public void MarkPendingInWal() => _pendingInWal = _pending.Count;

    /// <summary>Hands the pending bytes to the OS (no fsync).</summary>
    public void WritePending()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        RandomAccess.Write(Handle, _pending.Written, WrittenLength);
        WrittenLength += _pending.Count;
        _pending.Clear();
        _pendingInWal = 0;
    }

    /// <summary>The handle to fsync when written bytes are not yet synced, else null.</summary>
    public SafeFileHandle? UnsyncedHandle => WrittenLength > SyncedLength ? Handle : null;

    /// <summary>Records that an fsync covering <paramref name="length"/> bytes completed.</summary>
    public void MarkSynced(long length) => SyncedLength = Math.Max(SyncedLength, length);

    /// <summary>Stops appends to this segment; its seal trailer is written once it is wholly synced.</summary>
    public void Seal() => Sealed = true;

    /// <summary>Takes back a <see cref="Seal"/> whose trailer was never written (recovery deleted every later segment).</summary>
    public void Unseal()
    {
        System.Diagnostics.Debug.Assert(!SealDurable, "a durable seal is taken off by CutAt");
        Sealed = false;
    }

    /// <summary>
    /// Removes every record at or above <paramref name="offset"/> (which is within this segment)
    /// from memory and from the files (ftruncate, no fsync). Returns true when a file changed and
    /// so the cut must be synced before new bytes are written at the same positions.
    /// </summary>
    public bool CutAt(long offset, long termBeforeOffset)
    {
        var entries = Entries;
        var keep = entries.Count;
        while (keep > 0 && entries[keep - 1].RelativeOffset >= offset - BaseOffset)
        {
            keep--;
        }

        var position = PositionOf(offset);
        entries.RemoveRange(keep, entries.Count - keep);
        var touched = false;
        if (_entriesPersisted > keep || SealDurable || Sealed)
        {
            // A durable seal must be gone before the data shrinks, or a crash could leave a seal
            // that claims more bytes than the file holds.
            var sealWasDurable = SealDurable;
            _indexHandle ??= File.OpenHandle(IndexPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
            _entriesPersisted = Math.Min(_entriesPersisted, keep);
            RandomAccess.SetLength(_indexHandle, IndexFileLength(_entriesPersisted));
            if (sealWasDurable)
            {
                DurableFile.Sync(_indexHandle);
            }

            touched = true;
        }

        if (position < WrittenLength)
        {
            _pending.Clear();
            _pendingInWal = 0;
            RandomAccess.SetLength(Handle, position);
            WrittenLength = position;
            SyncedLength = Math.Min(SyncedLength, position);
            touched = true;
        }
        else
        {
            _pending.Shorten((int)(position - WrittenLength));
            _pendingInWal = Math.Min(_pendingInWal, _pending.Count);
        }

        Sealed = SealDurable = false;
        NextOffset = offset;
        LastTerm = termBeforeOffset;
        _bytesSinceEntry = entries.Count == 0 ? 0 : Length - entries[^1].Position;
        return touched;
    }

    /// <summary>fsync of the data file and the index file, after <see cref="CutAt"/> touched them.</summary>
    public void SyncAfterCut()
    {
        DurableFile.Sync(Handle);
        if (_indexHandle is not null)
        {
            DurableFile.Sync(_indexHandle);
        }

        SyncedLength = WrittenLength;
    }

    /// <summary>Byte position of the record at <paramref name="offset"/>, or <see cref="Length"/> for <see cref="NextOffset"/>.</summary>
    public long PositionOf(long offset)
    {
        if (offset >= NextOffset)
        {
            return Length;
        }

        // Walk the length fields from the index entry before it: at most one index interval.
        var (position, at) = Floor(offset);
        Span<byte> lengthField = stackalloc byte[4];
        while (at < offset)
        {
            if (ReadAt(position, lengthField) < lengthField.Length)
            {
                throw new LogCorruptedException(FilePath, position, $"the segment ends before offset {offset}");
            }

            position += BinaryPrimitives.ReadUInt32LittleEndian(lengthField) + 4L;
            at++;
        }

        return position;
    }

    /// <summary>The index entry at or before <paramref name="offset"/>: its position and offset.</summary>
    public (long Position, long Offset) Floor(long offset)
    {
        var entries = Entries;
        var low = 0;
        var high = entries.Count - 1;
        var found = -1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            if (BaseOffset + entries[middle].RelativeOffset <= offset)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return found < 0
            ? (SegmentFormat.SegmentHeaderBytes, BaseOffset)
            : (entries[found].Position, BaseOffset + entries[found].RelativeOffset);
    }

    /// <summary>Copies bytes from <paramref name="position"/> on into <paramref name="destination"/>, from the file and then the pending bytes. Returns how many.</summary>
    public int ReadAt(long position, Span<byte> destination)
    {
        var total = 0;
        if (position < WrittenLength)
        {
            var fromFile = (int)Math.Min(destination.Length, WrittenLength - position);
            ReadExactly(Handle, destination[..fromFile], position, FilePath);
            total = fromFile;
            position += fromFile;
        }

        if (total < destination.Length && position >= WrittenLength && position < Length)
        {
            var pending = _pending.Written[(int)(position - WrittenLength)..];
            var count = Math.Min(pending.Length, destination.Length - total);
            pending[..count].CopyTo(destination[total..]);
            total += count;
        }

        return total;
    }

    /// <summary>Closes the files, keeping them on disk.</summary>
    public void Dispose()
    {
        _pending.Dispose();
        _handle?.Dispose();
        _indexHandle?.Dispose();
        _handle = _indexHandle = null;
    }

    /// <summary>Closes and deletes both files (the index first, so a crash never leaves a segment without its data but with an index).</summary>
    public void Delete()
    {
        Dispose();
        File.Delete(IndexPath);
        File.Delete(FilePath);
    }

    internal static void ReadExactly(SafeFileHandle handle, Span<byte> destination, long position, string path)
    {
        while (destination.Length > 0)
        {
            var read = RandomAccess.Read(handle, destination, position);
            if (read == 0)
            {
                throw new LogCorruptedException(path, position, $"the file ends at byte {position}, before data the log holds; was it truncated by something else?");
            }

            destination = destination[read..];
            position += read;
        }
    }

    private SafeFileHandle Handle => _handle ??= File.OpenHandle(FilePath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);

    private List<IndexEntry> Entries => _entries ??= LoadSealedEntries();
}
