using System.Buffers;
using DataCluster.Storage.Format;
using Microsoft.Win32.SafeHandles;

namespace DataCluster.Storage.Files;

/// <summary>What recovery knows of a segment once checked; the input of <see cref="Segment.Recovered"/>.</summary>
internal sealed record RecoveredSegment(
    long NextOffset,
    long LastTerm,
    long LastTimestamp,
    long Length,
    List<IndexEntry>? Entries,
    int EntriesPersisted,
    long BytesSinceEntry,
    SafeFileHandle? IndexHandle,
    bool Sealed,
    bool SealDurable);

/// <summary>The outcome of scanning a segment's tail.</summary>
internal sealed record SegmentScan(
    long NextOffset,
    long LastTerm,
    long LastTimestamp,
    long ValidLength,
    List<IndexEntry> Entries,
    int EntriesFromFile,
    long BytesSinceEntry,
    long RecordsScanned,
    RecoveryCutReason Cut);

/// <summary>
/// Reads a segment's tail record by record from its last index point, checking framing, CRC,
/// offset order and term order, and stops at the first record that fails. Thread-safe (no state).
/// </summary>
internal static class SegmentScanner
{
    /// <summary>Read size while scanning: a few hundred typical records per read, small enough to rent from the shared pool.</summary>
    private const int ChunkBytes = 256 * 1024;

    /// <summary>Smallest read while scanning: a page, which holds the header and a few records.</summary>
    private const int MinChunkBytes = 4096;

    /// <summary>
    /// Scans <paramref name="handle"/> from the last entry of <paramref name="fileEntries"/> (the
    /// valid prefix of its index file) to its end. Entries pointing past the end are dropped (a
    /// cut whose index truncation did not reach the disk); the last remaining one must point at
    /// a valid record, since entries are persisted only for synced records.
    /// </summary>
    public static SegmentScan Scan(SafeFileHandle handle, string path, long fileLength, long baseOffset, long termBefore, List<IndexEntry> fileEntries, int indexIntervalBytes)
    {
        while (fileEntries.Count > 0 && fileEntries[^1].Position >= fileLength)
        {
            fileEntries.RemoveAt(fileEntries.Count - 1);
        }

        var position = (long)SegmentFormat.SegmentHeaderBytes;
        var expected = baseOffset;
        var term = termBefore;
        // A short tail (every log of an idle member) gets a buffer its size, not a chunk: the
        // shared pool keeps what it lends, and hundreds of partitions recovering at start would
        // otherwise leave chunk-sized arrays on the large object heap.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(fileLength - position, MinChunkBytes, ChunkBytes));
        try
        {
            var window = new Window(handle, fileLength, buffer);
            if (fileEntries.Count > 0)
            {
                var last = fileEntries[^1];
                position = last.Position;
                expected = baseOffset + last.RelativeOffset;
                term = last.Term;
                if (window.Frame(position, out var info) != FrameStatus.Valid || info.Offset != expected || info.Term != last.Term)
                {
                    throw new LogCorruptedException(path, position, $"the index says offset {expected} (synced) starts here, but no valid record with that offset and term {last.Term} does");
                }
            }

            var entries = fileEntries;
            var fromFile = entries.Count;
            var bytesSinceEntry = 0L;
            var timestamp = long.MinValue;
            var records = 0L;
            var cut = RecoveryCutReason.None;
            while (position < fileLength)
            {
                var status = window.Frame(position, out var info);
                cut = status switch
                {
                    FrameStatus.Incomplete => RecoveryCutReason.Incomplete,
                    FrameStatus.Zero => RecoveryCutReason.ZeroFilled,
                    FrameStatus.BadLength => RecoveryCutReason.BadLength,
                    FrameStatus.BadCrc => RecoveryCutReason.BadCrc,
                    _ when info.Offset != expected || info.Term < term => RecoveryCutReason.OutOfOrder,
                    _ => RecoveryCutReason.None,
                };
                if (cut != RecoveryCutReason.None)
                {
                    break;
                }

                var indexed = entries.Count > 0 && baseOffset + entries[^1].RelativeOffset == info.Offset;
                if (!indexed && (entries.Count == 0 || info.Term != term || bytesSinceEntry >= indexIntervalBytes))
                {
                    entries.Add(new IndexEntry((uint)(info.Offset - baseOffset), (uint)position, info.Term));
                    bytesSinceEntry = 0;
                }

                bytesSinceEntry += info.Length;
                position += info.Length;
                expected++;
                term = info.Term;
                timestamp = Math.Max(timestamp, info.Timestamp);
                records++;
            }

            return new SegmentScan(expected, term, timestamp, position, entries, fromFile, bytesSinceEntry, records, cut);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The entries of an index file (header checked by the caller) up to the first that breaks the order or is not one (a seal trailer, zeros).</summary>
    public static List<IndexEntry> ValidEntries(ReadOnlySpan<byte> index, long termBefore)
    {
        var entries = new List<IndexEntry>();
        for (var at = SegmentFormat.IndexHeaderBytes; at + SegmentFormat.IndexEntryBytes <= index.Length; at += SegmentFormat.IndexEntryBytes)
        {
            var slice = index[at..];
            if (SegmentFormat.IsSealMarker(slice))
            {
                break;
            }

            var entry = SegmentFormat.ReadEntry(slice);
            var ordered = entries.Count == 0
                ? entry.RelativeOffset == 0 && entry.Position == SegmentFormat.SegmentHeaderBytes && entry.Term >= termBefore
                : entry.RelativeOffset > entries[^1].RelativeOffset && entry.Position > entries[^1].Position && entry.Term >= entries[^1].Term;
            if (!ordered)
            {
                break;
            }

            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>A read window over a file, refilled as the scan moves on or meets a record larger than it.</summary>
    private sealed class Window(SafeFileHandle handle, long fileLength, byte[] initial)
    {
        private byte[] _buffer = initial;
        private long _start;
        private int _length;

        public FrameStatus Frame(long position, out FrameInfo info)
        {
            if (position < _start || position + 4 > _start + _length)
            {
                Fill(position, _buffer.Length);
            }

            var status = RecordCodec.TryReadFrame(_buffer.AsSpan((int)(position - _start), (int)(_start + _length - position)), out info);
            if (status != FrameStatus.Incomplete || info.Length == 0 || position + info.Length > fileLength)
            {
                return status;
            }

            // The record is whole in the file but not in the window.
            Fill(position, info.Length);
            return RecordCodec.TryReadFrame(_buffer.AsSpan(0, _length), out info);
        }

        private void Fill(long position, int atLeast)
        {
            if (_buffer.Length < atLeast)
            {
                // Rare (a record larger than the window); the pool's array goes back in Scan's finally.
                _buffer = new byte[atLeast];
            }

            _start = position;
            _length = RandomAccess.Read(handle, _buffer.AsSpan(0, (int)Math.Min(_buffer.Length, fileLength - position)), position);
        }
    }
}
