using System.Buffers.Binary;
using System.Globalization;

namespace DataCluster.Storage.Format;

/// <summary>One entry of a segment's offset index: where a record starts and its term.</summary>
/// <param name="RelativeOffset">The record's offset minus the segment's base offset.</param>
/// <param name="Position">Byte position of the record in the segment file.</param>
/// <param name="Term">The record's term (an entry is kept at every term change, so the terms of a log can be rebuilt from its indexes).</param>
internal readonly record struct IndexEntry(uint RelativeOffset, uint Position, long Term);

/// <summary>What a sealed segment's index trailer records about the segment.</summary>
internal readonly record struct SealInfo(uint SegmentLength, uint RecordCount, long LastTimestamp);

/// <summary>
/// Segment and index file headers, index entries and the seal trailer, as documented in
/// storage/README.md. Thread-safe (no state).
/// </summary>
internal static class SegmentFormat
{
    /// <summary>Bytes of a segment file header.</summary>
    public const int SegmentHeaderBytes = 32;

    /// <summary>Bytes of an index file header.</summary>
    public const int IndexHeaderBytes = 16;

    /// <summary>Bytes of one index entry.</summary>
    public const int IndexEntryBytes = 16;

    /// <summary>Bytes of the trailer that seals an index.</summary>
    public const int SealBytes = 32;

    /// <summary>The only format version this code writes and reads.</summary>
    public const byte Version = 1;

    /// <summary>Marks a seal trailer where an entry would start; no relative offset can be this large.</summary>
    private const uint SealMarker = uint.MaxValue;

    private static ReadOnlySpan<byte> SegmentMagic => "DCLG"u8;

    private static ReadOnlySpan<byte> IndexMagic => "DCIX"u8;

    public static string SegmentFileName(long baseOffset) => baseOffset.ToString("D20", CultureInfo.InvariantCulture) + ".log";

    public static string IndexFileName(long baseOffset) => baseOffset.ToString("D20", CultureInfo.InvariantCulture) + ".index";

    /// <summary>The base offset a segment or index file name carries, or -1 when the name is not one of ours.</summary>
    public static long BaseOffsetOf(string fileName, string extension)
    {
        if (!fileName.EndsWith(extension, StringComparison.Ordinal) || fileName.Length != 20 + extension.Length)
        {
            return -1;
        }

        return long.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : -1;
    }

    public static void WriteSegmentHeader(Span<byte> destination, long baseOffset, long termBefore)
    {
        destination[..SegmentHeaderBytes].Clear();
        SegmentMagic.CopyTo(destination);
        destination[4] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], baseOffset);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], termBefore);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[28..], Crc32C.Compute(destination[..28]));
    }

    /// <summary>Reads a segment header; null with the reason when it is not a valid one.</summary>
    public static string? TryReadSegmentHeader(ReadOnlySpan<byte> source, out long baseOffset, out long termBefore)
    {
        baseOffset = termBefore = 0;
        if (source.Length < SegmentHeaderBytes)
        {
            return $"the header is {source.Length} bytes, {SegmentHeaderBytes} expected";
        }

        if (!source[..4].SequenceEqual(SegmentMagic))
        {
            return "the header does not start with the segment magic \"DCLG\"";
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source[28..]) != Crc32C.Compute(source[..28]))
        {
            return "the header's CRC does not match";
        }

        if (source[4] != Version)
        {
            return $"format version {source[4]} is not the version {Version} this build reads";
        }

        baseOffset = BinaryPrimitives.ReadInt64LittleEndian(source[8..]);
        termBefore = BinaryPrimitives.ReadInt64LittleEndian(source[16..]);
        return null;
    }

    public static void WriteIndexHeader(Span<byte> destination, long baseOffset)
    {
        destination[..IndexHeaderBytes].Clear();
        IndexMagic.CopyTo(destination);
        destination[4] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], baseOffset);
    }

    public static bool IsIndexHeader(ReadOnlySpan<byte> source, long baseOffset) =>
        source.Length >= IndexHeaderBytes
        && source[..4].SequenceEqual(IndexMagic)
        && source[4] == Version
        && BinaryPrimitives.ReadInt64LittleEndian(source[8..]) == baseOffset;

    public static void WriteEntry(Span<byte> destination, IndexEntry entry)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, entry.RelativeOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], entry.Position);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], entry.Term);
    }

    public static IndexEntry ReadEntry(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(source),
        BinaryPrimitives.ReadUInt32LittleEndian(source[4..]),
        BinaryPrimitives.ReadInt64LittleEndian(source[8..]));

    /// <summary>True when the 16 bytes at <paramref name="source"/> start a seal trailer rather than an entry.</summary>
    public static bool IsSealMarker(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadUInt32LittleEndian(source) == SealMarker;

    /// <summary>Writes a seal trailer; <paramref name="indexSoFar"/> is every byte of the index file before it.</summary>
    public static void WriteSeal(Span<byte> destination, SealInfo seal, ReadOnlySpan<byte> indexSoFar)
    {
        destination[..SealBytes].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(destination, SealMarker);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], seal.SegmentLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], seal.RecordCount);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], seal.LastTimestamp);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[28..], Crc32C.Compute(indexSoFar, destination[..28]));
    }

    /// <summary>Reads the seal trailer at the end of <paramref name="index"/> (the whole index file); null when there is no valid one.</summary>
    public static SealInfo? TryReadSeal(ReadOnlySpan<byte> index)
    {
        if (index.Length < IndexHeaderBytes + SealBytes || (index.Length - IndexHeaderBytes - SealBytes) % IndexEntryBytes != 0)
        {
            return null;
        }

        var trailer = index[^SealBytes..];
        if (!IsSealMarker(trailer) || BinaryPrimitives.ReadUInt32LittleEndian(trailer[28..]) != Crc32C.Compute(index[..^SealBytes], trailer[..28]))
        {
            return null;
        }

        return new SealInfo(
            BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(trailer[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(trailer[16..]));
    }
}
