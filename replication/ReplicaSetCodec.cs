using System.Buffers.Binary;
using System.Text;

namespace DataCluster.Replication;

/// <summary>
/// The body of a <c>TermStart</c> record: the term's replica set, so that a later leader reading a
/// log learns which members had to acknowledge that term's records. Layout: one version byte (1),
/// a little-endian int32 count, then per member a little-endian int32 byte length and its UTF-8 id.
/// </summary>
/// <remarks>Pure functions; thread-safe.</remarks>
public static class ReplicaSetCodec
{
    private const byte Version = 1;

    /// <summary>Encodes a replica set.</summary>
    public static byte[] Encode(IReadOnlyList<string> replicas)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        var size = 5;
        foreach (var id in replicas)
        {
            size += 4 + Encoding.UTF8.GetByteCount(id);
        }

        var buffer = new byte[size];
        buffer[0] = Version;
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(1), replicas.Count);
        var at = 5;
        foreach (var id in replicas)
        {
            var length = Encoding.UTF8.GetBytes(id, buffer.AsSpan(at + 4));
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(at), length);
            at += 4 + length;
        }

        return buffer;
    }

    /// <summary>Decodes a replica set; null when the bytes are not one (another version, or damaged).</summary>
    public static string[]? TryDecode(ReadOnlySpan<byte> body)
    {
        if (body.Length < 5 || body[0] != Version)
        {
            return null;
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(body[1..]);
        if (count < 0 || count > body.Length)
        {
            return null;
        }

        var replicas = new string[count];
        var at = 5;
        for (var i = 0; i < count; i++)
        {
            if (at + 4 > body.Length)
            {
                return null;
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
            if (length < 0 || at + 4 + length > body.Length)
            {
                return null;
            }

            replicas[i] = Encoding.UTF8.GetString(body.Slice(at + 4, length));
            at += 4 + length;
        }

        return at == body.Length ? replicas : null;
    }
}
