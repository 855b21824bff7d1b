using System.Buffers.Binary;
using System.Text;

namespace DataCluster.Storage.Format;

/// <summary>What <see cref="RecordCodec.TryReadFrame"/> found at a position.</summary>
internal enum FrameStatus
{
    /// <summary>A whole record whose CRC and field lengths check out.</summary>
    Valid,

    /// <summary>The bytes end before the record does (a torn write, or a read window too short).</summary>
    Incomplete,

    /// <summary>The length field is zero: a zero-filled (preallocated or never written) region.</summary>
    Zero,

    /// <summary>The length field, or a field length inside the record, is impossible.</summary>
    BadLength,

    /// <summary>The record is whole but its CRC does not match its bytes.</summary>
    BadCrc,
}

/// <summary>The fields of a record that recovery and index lookups need, without copying key or body.</summary>
internal readonly record struct FrameInfo(long Offset, long Term, long Timestamp, int Length);

/// <summary>
/// Encodes and decodes one log record. The layout is documented in storage/README.md; keep the two
/// in step. All integers little-endian. Thread-safe (no state).
/// </summary>
internal static class RecordCodec
{
    /// <summary>Bytes of a record with empty key, body, content type and producer id.</summary>
    public const int FixedBytes = 57;

    /// <summary>The smallest value the length field can hold (it counts the bytes after itself).</summary>
    private const int MinLengthField = FixedBytes - 4;

    private const int CrcAt = 4;
    private const int OffsetAt = 8;
    private const int TermAt = 16;
    private const int KindAt = 24;
    private const int TimestampAt = 25;
    private const int KeyLengthAt = 33;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Encoded size of <paramref name="record"/>; the UTF-8 sizes of its strings come back for <see cref="Write"/>.</summary>
    public static int SizeOf(LogRecord record, out int contentTypeBytes, out int producerIdBytes)
    {
        contentTypeBytes = record.ContentType is null ? 0 : Utf8.GetByteCount(record.ContentType);
        producerIdBytes = record.ProducerId is null ? 0 : Utf8.GetByteCount(record.ProducerId);
        var size = (long)FixedBytes + record.Key.Length + contentTypeBytes + producerIdBytes + record.Body.Length;
        if (size > int.MaxValue)
        {
            throw new ArgumentException($"record at offset {record.Offset} encodes to {size} bytes, more than a record can hold ({int.MaxValue}); split the body", nameof(record));
        }

        return (int)size;
    }

    /// <summary>Writes <paramref name="record"/> into <paramref name="destination"/>, which is exactly <see cref="SizeOf"/> long.</summary>
    public static void Write(LogRecord record, int contentTypeBytes, int producerIdBytes, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)(destination.Length - 4));
        BinaryPrimitives.WriteInt64LittleEndian(destination[OffsetAt..], record.Offset);
        BinaryPrimitives.WriteInt64LittleEndian(destination[TermAt..], record.Term);
        destination[KindAt] = (byte)record.Kind;
        BinaryPrimitives.WriteInt64LittleEndian(destination[TimestampAt..], record.Timestamp);
        var at = KeyLengthAt;
        at = WriteBytes(destination, at, record.Key.Span);
        at = WriteString(destination, at, record.ContentType, contentTypeBytes);
        at = WriteString(destination, at, record.ProducerId, producerIdBytes);
        BinaryPrimitives.WriteInt64LittleEndian(destination[at..], record.Sequence);
        at = WriteBytes(destination, at + 8, record.Body.Span);
        System.Diagnostics.Debug.Assert(at == destination.Length, "record size and layout disagree");
        BinaryPrimitives.WriteUInt32LittleEndian(destination[CrcAt..], Crc32C.Compute(destination[..CrcAt], destination[OffsetAt..]));
    }

    /// <summary>
    /// Checks the record that starts at <paramref name="data"/>[0]: framing, CRC and the field
    /// lengths inside it. On <see cref="FrameStatus.Incomplete"/>, <paramref name="info"/>'s
    /// length says how many bytes the record claims (0 when even the length field is cut).
    /// </summary>
    public static FrameStatus TryReadFrame(ReadOnlySpan<byte> data, out FrameInfo info)
    {
        info = default;
        if (data.Length < 4)
        {
            return data.IndexOfAnyExcept((byte)0) < 0 && data.Length > 0 ? FrameStatus.Zero : FrameStatus.Incomplete;
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

        var length = (int)lengthField + 4;
        if (data.Length < length)
        {
            info = new FrameInfo(0, 0, 0, length);
            return FrameStatus.Incomplete;
        }

        var frame = data[..length];
        if (BinaryPrimitives.ReadUInt32LittleEndian(frame[CrcAt..]) != Crc32C.Compute(frame[..CrcAt], frame[OffsetAt..]))
        {
            info = new FrameInfo(0, 0, 0, length);
            return FrameStatus.BadCrc;
        }

        if (!FieldsFit(frame))
        {
            return FrameStatus.BadLength;
        }

        info = new FrameInfo(
            BinaryPrimitives.ReadInt64LittleEndian(frame[OffsetAt..]),
            BinaryPrimitives.ReadInt64LittleEndian(frame[TermAt..]),
            BinaryPrimitives.ReadInt64LittleEndian(frame[TimestampAt..]),
            length);
        return FrameStatus.Valid;
    }

    /// <summary>The record in <paramref name="frame"/>, which <see cref="TryReadFrame"/> found valid. Copies key and body.</summary>
    public static LogRecord Materialize(ReadOnlySpan<byte> frame)
    {
        var at = KeyLengthAt;
        var key = ReadBytes(frame, ref at);
        var contentType = ReadString(frame, ref at);
        var producerId = ReadString(frame, ref at);
        var sequence = BinaryPrimitives.ReadInt64LittleEndian(frame[at..]);
        at += 8;
        var body = ReadBytes(frame, ref at);
        return new LogRecord(
            BinaryPrimitives.ReadInt64LittleEndian(frame[OffsetAt..]),
            BinaryPrimitives.ReadInt64LittleEndian(frame[TermAt..]),
            (RecordKind)frame[KindAt],
            BinaryPrimitives.ReadInt64LittleEndian(frame[TimestampAt..]),
            key,
            contentType,
            body,
            producerId,
            sequence);
    }

    private static bool FieldsFit(ReadOnlySpan<byte> frame)
    {
        var at = (long)KeyLengthAt;
        for (var field = 0; field < 4; field++)
        {
            if (at + 4 > frame.Length)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(frame[(int)at..]);
            var nullable = field is 1 or 2;
            if (length < (nullable ? -1 : 0))
            {
                return false;
            }

            at += 4 + Math.Max(length, 0) + (field == 2 ? 8 : 0);
        }

        return at == frame.Length;
    }

    private static int WriteBytes(Span<byte> destination, int at, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination[at..], value.Length);
        value.CopyTo(destination[(at + 4)..]);
        return at + 4 + value.Length;
    }

    private static int WriteString(Span<byte> destination, int at, string? value, int byteCount)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination[at..], value is null ? -1 : byteCount);
        if (value is not null)
        {
            Utf8.GetBytes(value, destination.Slice(at + 4, byteCount));
        }

        return at + 4 + byteCount;
    }

    private static byte[] ReadBytes(ReadOnlySpan<byte> frame, ref int at)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(frame[at..]);
        var value = length == 0 ? [] : frame.Slice(at + 4, length).ToArray();
        at += 4 + length;
        return value;
    }

    private static string? ReadString(ReadOnlySpan<byte> frame, ref int at)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(frame[at..]);
        at += 4;
        if (length < 0)
        {
            return null;
        }

        var value = Utf8.GetString(frame.Slice(at, length));
        at += length;
        return value;
    }
}
