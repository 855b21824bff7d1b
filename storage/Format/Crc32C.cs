using System.Buffers.Binary;
using System.Numerics;

namespace DataCluster.Storage.Format;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF),
/// the checksum of iSCSI, ext4 metadata and Kafka record batches. Check value: "123456789" gives
/// 0xE3069283.
/// </summary>
/// <remarks>
/// System.IO.Hashing (10.0 and 11.0 as served to this project) offers only CRC-32 (IEEE) and
/// CRC-64, so this uses <see cref="BitOperations.Crc32C(uint, ulong)"/>, which runs on the
/// SSE4.2 / ARMv8 CRC instructions where present and falls back to a table otherwise.
/// Thread-safe (no state).
/// </remarks>
internal static class Crc32C
{
    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(uint.MaxValue, data);

    /// <summary>The CRC-32C of <paramref name="first"/> followed by <paramref name="second"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second) => ~Update(Update(uint.MaxValue, first), second);

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        if (data.Length >= sizeof(uint))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt32LittleEndian(data));
            data = data[sizeof(uint)..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }
}
