using DataCluster.Storage.Format;
using Microsoft.Win32.SafeHandles;

namespace DataCluster.Storage.Files;

/// <summary>A segment's index file: entries of synced records, and the seal trailer.</summary>
internal sealed partial class Segment
{
    /// <summary>True when index entries of synced records are not yet in the index file, or the seal trailer is due.</summary>
    public bool IndexBehind =>
        !SealDurable && (Sealed || (_entries is not null && _entriesPersisted < _entries.Count && _entries[_entriesPersisted].Position < SyncedLength));

    /// <summary>
    /// Writes to the index file the entries whose records are synced and, when the segment is
    /// sealed and wholly synced, the seal trailer. Returns the index handle to fsync when a
    /// trailer was written (the trailer must be durable to be trusted), else null.
    /// </summary>
    public SafeFileHandle? PersistIndex()
    {
        if (SealDurable || _indexHandle is null || _entries is null)
        {
            return null;
        }

        var upTo = _entriesPersisted;
        while (upTo < _entries.Count && _entries[upTo].Position < SyncedLength)
        {
            upTo++;
        }

        var seal = Sealed && SyncedLength == Length;
        if (upTo == _entriesPersisted && !seal)
        {
            return null;
        }

        var bytes = (upTo - _entriesPersisted) * SegmentFormat.IndexEntryBytes;
        using var buffer = new PooledBuffer();
        var span = buffer.GetSpan(bytes);
        for (var i = _entriesPersisted; i < upTo; i++)
        {
            SegmentFormat.WriteEntry(span[((i - _entriesPersisted) * SegmentFormat.IndexEntryBytes)..], _entries[i]);
        }

        RandomAccess.Write(_indexHandle, span, IndexFileLength(_entriesPersisted));
        _entriesPersisted = upTo;
        if (!seal)
        {
            return null;
        }

        // The trailer's CRC covers the whole index file, so read back what is there.
        var length = IndexFileLength(_entriesPersisted);
        using var whole = new PooledBuffer();
        var content = whole.GetSpan((int)length + SegmentFormat.SealBytes);
        ReadExactly(_indexHandle, content[..(int)length], 0, IndexPath);
        SegmentFormat.WriteSeal(content[(int)length..], new SealInfo((uint)Length, (uint)(NextOffset - BaseOffset), LastTimestamp), content[..(int)length]);
        RandomAccess.Write(_indexHandle, content[(int)length..], length);
        return _indexHandle;
    }

    /// <summary>Called once the handle <see cref="PersistIndex"/> returned is synced.</summary>
    public void MarkSealDurable()
    {
        SealDurable = true;
        _indexHandle?.Dispose();
        _indexHandle = null;
    }

    private static long IndexFileLength(int entries) => SegmentFormat.IndexHeaderBytes + ((long)entries * SegmentFormat.IndexEntryBytes);

    private void CreateIndexFile()
    {
        Span<byte> header = stackalloc byte[SegmentFormat.IndexHeaderBytes];
        SegmentFormat.WriteIndexHeader(header, BaseOffset);
        _indexHandle = File.OpenHandle(IndexPath, FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
        RandomAccess.Write(_indexHandle, header, 0);
        RandomAccess.SetLength(_indexHandle, header.Length);
    }

    /// <summary>A sealed segment's entries are read from its index file on first use, not at open.</summary>
    private List<IndexEntry> LoadSealedEntries()
    {
        var bytes = File.ReadAllBytes(IndexPath);
        var count = (bytes.Length - SegmentFormat.IndexHeaderBytes - SegmentFormat.SealBytes) / SegmentFormat.IndexEntryBytes;
        var entries = new List<IndexEntry>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
        {
            entries.Add(SegmentFormat.ReadEntry(bytes.AsSpan(SegmentFormat.IndexHeaderBytes + (i * SegmentFormat.IndexEntryBytes))));
        }

        _entriesPersisted = entries.Count;
        return entries;
    }
}
