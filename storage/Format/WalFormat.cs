using System.Buffers.Binary;
using System.Globalization;

namespace DataCluster.Storage.Format;

/// <summary>What one write-ahead log entry says.</summary>
internal enum WalEntryKind : byte
{
    /// <summary>Segment records of one partition, back to back, exactly as its segment file holds them.</summary>
    Records = 1,

    /// <summary>The partition's segment files are synced up to here: its earlier entries are not needed.</summary>
    Barrier = 2,
}

/// <summary>One entry read back from a write-ahead log file; <see cref="Payload"/> points into the file's bytes.</summary>
internal readonly record struct WalEntry(int Partition, WalEntryKind Kind, ReadOnlyMemory<byte> Payload, long Position);

/// <summary>
/// The member's write-ahead log file format, as documented in storage/README.md ("Write-ahead
/// log"): a 32-byte header, then entries each framed by a length and a CRC32C. Thread-safe (no state).
/// </summary>
internal static class WalFormat
{
    /// <summary>Bytes of the file header.</summary>
    public const int HeaderBytes = 32;

    /// <summary>Bytes of an entry before its payload: length, CRC, partition, kind.</summary>
    public const int EntryHeaderBytes = 13;

    /// <summary>The only format version this code writes and reads.</summary>
    public const byte Version = 1;

    /// <summary>File name extension; the name is the file's sequence number in 20 digits.</summary>
    public const string Extension = ".wal";

    private const int CrcAt = 4;
    private const int PartitionAt = 8;
    private const int KindAt = 12;

    /// <summary>The length field counts the bytes after it: CRC, partition and kind at least.</summary>
    private const int MinLengthField = EntryHeaderBytes - 4;

    private static ReadOnlySpan<byte> Magic => "DCWL"u8;

    public static string FileName(long sequence) => sequence.ToString("D20", CultureInfo.InvariantCulture) + Extension;

    /// <summary>The sequence number in a file name made by <see cref="FileName"/>, or -1.</summary>
    public static long SequenceOf(string fileName) =>
        fileName.Length == 20 + Extension.Length && fileName.EndsWith(Extension, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : -1;

    public static void WriteHeader(Span<byte> destination, long sequence)
    {
        destination[..HeaderBytes].Clear();
        Magic.CopyTo(destination);
        destination[4] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[28..], Crc32C.Compute(destination[..28]));
    }

    /// <summary>Reads a file header; null with the reason when it is not a valid one.</summary>
    public static string? TryReadHeader(ReadOnlySpan<byte> source, out long sequence)
    {
        sequence = 0;
        if (source.Length < HeaderBytes)
        {
            return $"the header is {source.Length} bytes, {HeaderBytes} expected";
        }

        if (!source[..4].SequenceEqual(Magic))
        {
            return "the header does not start with the write-ahead log magic \"DCWL\"";
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source[28..]) != Crc32C.Compute(source[..28]))
        {
            return "the header's CRC does not match";
        }

        if (source[4] != Version)
        {
            return $"format version {source[4]} is not the version {Version} this build reads";
        }

        sequence = BinaryPrimitives.ReadInt64LittleEndian(source[8..]);
        return null;
    }

    /// <summary>
    /// Fills the header of an entry whose payload already follows it in
    /// <paramref name="entry"/> (which is exactly header plus payload): length, partition, kind,
    /// then the CRC over the length bytes and every byte after the CRC field.
    /// </summary>
    public static void SealEntry(Span<byte> entry, int partition, WalEntryKind kind)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(entry, (uint)(entry.Length - 4));
        BinaryPrimitives.WriteInt32LittleEndian(entry[PartitionAt..], partition);
        entry[KindAt] = (byte)kind;
        BinaryPrimitives.WriteUInt32LittleEndian(entry[CrcAt..], Crc32C.Compute(entry[..CrcAt], entry[PartitionAt..]));
    }

    /// <summary>
    /// Checks the entry that starts at <paramref name="data"/>[0]. Valid: <paramref name="length"/>
    /// is its size, <paramref name="partition"/> and <paramref name="kind"/> are set.
    /// </summary>
    public static FrameStatus TryReadEntry(ReadOnlySpan<byte> data, out int length, out int partition, out WalEntryKind kind)
    {
        length = partition = 0;
        kind = 0;
        if (data.Length < 4)
        {
            return data.Length > 0 && data.IndexOfAnyExcept((byte)0) < 0 ? FrameStatus.Zero : FrameStatus.Incomplete;
        }

        var lengthField = BinaryPrimitives.ReadUInt32LittleEndian(data);
        if (lengthField == 0)
        {
            return FrameStatus.Zero;
        }

        if (lengthField < MinLengthField || lengthField > int.MaxValue - 4)
        {
            return FrameStatus.BadLength;
        }

        if (data.Length < (long)lengthField + 4)
        {
            return FrameStatus.Incomplete;
        }

        var entry = data[..((int)lengthField + 4)];
        if (BinaryPrimitives.ReadUInt32LittleEndian(entry[CrcAt..]) != Crc32C.Compute(entry[..CrcAt], entry[PartitionAt..]))
        {
            return FrameStatus.BadCrc;
        }

        partition = BinaryPrimitives.ReadInt32LittleEndian(entry[PartitionAt..]);
        kind = (WalEntryKind)entry[KindAt];
        length = entry.Length;
        return FrameStatus.Valid;
    }
}
