using System.Buffers.Binary;
using DataCluster.Storage.Format;

namespace DataCluster.Storage.Files;

/// <summary>
/// The redo record that makes <see cref="PartitionLog.Reset"/> atomic across files: written
/// (atomically) before the old segments are deleted, removed once the new empty segment is
/// durable. Recovery that finds a valid marker finishes the reset. Thread-safe (no state).
/// </summary>
internal static class ResetMarker
{
    public const string FileName = "reset";

    private const int Bytes = 24;

    private static ReadOnlySpan<byte> Magic => "DCRM"u8;

    public static void Write(string directory, long startOffset, long termBefore)
    {
        Span<byte> content = stackalloc byte[Bytes];
        Magic.CopyTo(content);
        BinaryPrimitives.WriteInt64LittleEndian(content[4..], startOffset);
        BinaryPrimitives.WriteInt64LittleEndian(content[12..], termBefore);
        BinaryPrimitives.WriteUInt32LittleEndian(content[20..], Crc32C.Compute(content[..20]));
        DurableFile.ReplaceAtomically(Path.Combine(directory, FileName), content);
    }

    /// <summary>The reset a valid marker asks for, or null (a torn or half-renamed marker is deleted: its reset never happened).</summary>
    public static (long StartOffset, long TermBefore)? Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        File.Delete(path + ".tmp");
        if (!File.Exists(path))
        {
            return null;
        }

        var content = File.ReadAllBytes(path);
        if (content.Length == Bytes && content.AsSpan(0, 4).SequenceEqual(Magic)
            && BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(20)) == Crc32C.Compute(content.AsSpan(0, 20)))
        {
            return (BinaryPrimitives.ReadInt64LittleEndian(content.AsSpan(4)), BinaryPrimitives.ReadInt64LittleEndian(content.AsSpan(12)));
        }

        Delete(directory);
        return null;
    }

    public static void Delete(string directory)
    {
        File.Delete(Path.Combine(directory, FileName));
        DurableFile.SyncDirectory(directory);
    }
}
