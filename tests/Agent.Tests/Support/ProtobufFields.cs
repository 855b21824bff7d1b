using System.Text;

namespace DataCluster.Agent.Tests.Support;

/// <summary>
/// Reads the protobuf wire format far enough to walk OTLP messages without their generated
/// classes: the fields of one message, by number, with length-delimited ones as nested bytes.
/// </summary>
internal static class ProtobufFields
{
    /// <summary>The length-delimited fields numbered <paramref name="number"/> of <paramref name="message"/> (strings, bytes, nested messages).</summary>
    public static IEnumerable<ReadOnlyMemory<byte>> Delimited(ReadOnlyMemory<byte> message, int number)
    {
        var position = 0;
        while (position < message.Length)
        {
            var key = ReadVarint(message.Span, ref position);
            var field = (int)(key >> 3);
            switch (key & 7)
            {
                case 0:
                    ReadVarint(message.Span, ref position);
                    break;
                case 1:
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message.Span, ref position);
                    if (field == number)
                    {
                        yield return message.Slice(position, length);
                    }

                    position += length;
                    break;
                case 5:
                    position += 4;
                    break;
                default:
                    throw new FormatException($"Wire type {key & 7} of field {field} is not in proto3.");
            }
        }

        if (position != message.Length)
        {
            throw new FormatException("A field runs past the end of its message.");
        }
    }

    /// <summary>The string fields numbered <paramref name="number"/>.</summary>
    public static IEnumerable<string> Strings(ReadOnlyMemory<byte> message, int number) =>
        Delimited(message, number).Select(bytes => Encoding.UTF8.GetString(bytes.Span));

    /// <summary>Follows a path of nested message fields and returns every message at its end.</summary>
    public static IEnumerable<ReadOnlyMemory<byte>> Path(ReadOnlyMemory<byte> message, params int[] numbers)
    {
        IEnumerable<ReadOnlyMemory<byte>> level = [message];
        foreach (var number in numbers)
        {
            level = level.SelectMany(m => Delimited(m, number)).ToList();
        }

        return level;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new FormatException("A varint is longer than 10 bytes.");
    }
}
