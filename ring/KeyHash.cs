using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace DataCluster.Ring;

/// <summary>
/// Maps keys to partitions: XXH64 (seed 0) over the key's UTF-8 bytes, then
/// <c>(hash * partitions) &gt;&gt; 64</c>. This is the cross-language routing contract
/// described in <c>docs/key-hashing.md</c>; every client must compute exactly this.
/// </summary>
/// <remarks>Pure and thread-safe. Nothing here allocates on the heap for keys up to
/// <see cref="StackKeyBytes"/> UTF-8 bytes; longer keys borrow a pooled buffer.</remarks>
public static class KeyHash
{
    /// <summary>Keys whose UTF-8 form fits in this many bytes are encoded on the stack.</summary>
    public const int StackKeyBytes = 512;

    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;
    private const ulong Prime3 = 0x165667B19E3779F9UL;
    private const ulong Prime4 = 0x85EBCA77C2B2AE63UL;
    private const ulong Prime5 = 0x27D4EB2F165667C5UL;

    /// <summary>XXH64 of <paramref name="data"/>, as specified by the xxHash project (little-endian lanes).</summary>
    /// <remarks>
    /// System.IO.Hashing's <c>XxHash64</c> computes the same function (the tests check ours against
    /// it) but measured slower on keys of client size: 7.13 against 6.84 ns per 20-byte key, and
    /// 24.0 against 23.6 ns per partition-of-key lookup in <c>make bench-ring</c> (docs/key-hashing.md).
    /// </remarks>
    public static ulong Xxh64(ReadOnlySpan<byte> data, ulong seed = 0)
    {
        var length = data.Length;
        ulong acc;
        if (length >= 32)
        {
            var v1 = seed + Prime1 + Prime2;
            var v2 = seed + Prime2;
            var v3 = seed;
            var v4 = seed - Prime1;
            do
            {
                v1 = Round(v1, BinaryPrimitives.ReadUInt64LittleEndian(data));
                v2 = Round(v2, BinaryPrimitives.ReadUInt64LittleEndian(data[8..]));
                v3 = Round(v3, BinaryPrimitives.ReadUInt64LittleEndian(data[16..]));
                v4 = Round(v4, BinaryPrimitives.ReadUInt64LittleEndian(data[24..]));
                data = data[32..];
            }
            while (data.Length >= 32);

            acc = BitOperations.RotateLeft(v1, 1) + BitOperations.RotateLeft(v2, 7)
                + BitOperations.RotateLeft(v3, 12) + BitOperations.RotateLeft(v4, 18);
            acc = MergeRound(acc, v1);
            acc = MergeRound(acc, v2);
            acc = MergeRound(acc, v3);
            acc = MergeRound(acc, v4);
        }
        else
        {
            acc = seed + Prime5;
        }

        acc += (ulong)length;

        while (data.Length >= 8)
        {
            acc ^= Round(0, BinaryPrimitives.ReadUInt64LittleEndian(data));
            acc = (BitOperations.RotateLeft(acc, 27) * Prime1) + Prime4;
            data = data[8..];
        }

        if (data.Length >= 4)
        {
            acc ^= BinaryPrimitives.ReadUInt32LittleEndian(data) * Prime1;
            acc = (BitOperations.RotateLeft(acc, 23) * Prime2) + Prime3;
            data = data[4..];
        }

        foreach (var b in data)
        {
            acc ^= b * Prime5;
            acc = BitOperations.RotateLeft(acc, 11) * Prime1;
        }

        acc ^= acc >> 33;
        acc *= Prime2;
        acc ^= acc >> 29;
        acc *= Prime3;
        acc ^= acc >> 32;
        return acc;
    }

    /// <summary>
    /// Maps a 64-bit hash to <c>[0, partitions)</c> as the high 64 bits of the 128-bit product
    /// <c>hash * partitions</c>. Unlike a modulo this needs no division and keeps every partition's
    /// share of the hash space within one part in 2^64 of equal.
    /// </summary>
    public static int ToPartition(ulong hash, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        return (int)Math.BigMul(hash, (ulong)partitions, out _);
    }

    /// <summary>The partition of a key given as its UTF-8 bytes.</summary>
    public static int PartitionOf(ReadOnlySpan<byte> utf8Key, int partitions) =>
        ToPartition(Xxh64(utf8Key), partitions);

    /// <summary>
    /// The partition of a string key, hashed over its UTF-8 encoding. Unpaired surrogates are
    /// encoded as U+FFFD, as the WHATWG TextEncoder and Rust's <c>to_string_lossy</c> do.
    /// </summary>
    public static int PartitionOf(string key, int partitions)
    {
        ArgumentNullException.ThrowIfNull(key);
        return ToPartition(HashUtf8(key), partitions);
    }

    /// <summary>XXH64 (seed 0) of the UTF-8 encoding of <paramref name="key"/>.</summary>
    public static ulong HashUtf8(ReadOnlySpan<char> key)
    {
        // Three bytes per UTF-16 unit is the worst case (a surrogate pair is two units, four bytes).
        if (key.Length <= StackKeyBytes / 3)
        {
            // Sized to the key: stack buffers are zeroed, so a fixed 512 bytes would cost more
            // than hashing a short key.
            Span<byte> buffer = stackalloc byte[key.Length * 3];
            var written = Encoding.UTF8.GetBytes(key, buffer);
            return Xxh64(buffer[..written]);
        }

        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(key.Length));
        try
        {
            var written = Encoding.UTF8.GetBytes(key, rented);
            return Xxh64(rented.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static ulong Round(ulong acc, ulong lane)
    {
        acc += lane * Prime2;
        return BitOperations.RotateLeft(acc, 31) * Prime1;
    }

    private static ulong MergeRound(ulong acc, ulong lane)
    {
        acc ^= Round(0, lane);
        return (acc * Prime1) + Prime4;
    }
}
