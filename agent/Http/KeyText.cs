using System.Text;

namespace DataCluster.Agent.Http;

/// <summary>
/// Reads the key of <c>GET /v1/owners/{key}</c> from the raw request target, so that every
/// percent-encoding (including %2F, which the server leaves encoded in the decoded path) is
/// decoded exactly once, and the result is checked to be valid UTF-8 of bounded length.
/// </summary>
public static class KeyText
{
    /// <summary>The longest key accepted, in UTF-8 bytes (the limit clients check too).</summary>
    public const int MaxKeyBytes = Contracts.Limits.KeyBytes.Max;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Decodes the percent-encoded <paramref name="encoded"/> (a path segment or more, without
    /// the query). Returns null and a message saying what is wrong when it is not a usable key.
    /// </summary>
    public static string? TryDecode(string encoded, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        var bytes = new List<byte>(encoded.Length);
        Span<byte> buffer = stackalloc byte[4];
        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            if (c == '%')
            {
                if (i + 2 >= encoded.Length || !IsHex(encoded[i + 1]) || !IsHex(encoded[i + 2]))
                {
                    problem = $"the key has an invalid percent-encoding at character {i}; encode '%' as %25";
                    return null;
                }

                bytes.Add((byte)((Hex(encoded[i + 1]) << 4) | Hex(encoded[i + 2])));
                i += 2;
            }
            else if (char.IsSurrogate(c))
            {
                if (i + 1 < encoded.Length && char.IsSurrogatePair(c, encoded[i + 1]))
                {
                    var written = Encoding.UTF8.GetBytes(encoded.AsSpan(i, 2), buffer);
                    bytes.AddRange(buffer[..written]);
                    i++;
                }
                else
                {
                    problem = "the key is not valid UTF-8";
                    return null;
                }
            }
            else
            {
                var written = Encoding.UTF8.GetBytes([c], buffer);
                bytes.AddRange(buffer[..written]);
            }

            if (bytes.Count > MaxKeyBytes)
            {
                break;
            }
        }

        if (bytes.Count == 0)
        {
            problem = "the key is empty; use GET /v1/owners/{key} with a non-empty, percent-encoded key";
            return null;
        }

        if (bytes.Count > MaxKeyBytes)
        {
            problem = $"the key is longer than {MaxKeyBytes} bytes of UTF-8";
            return null;
        }

        try
        {
            problem = null;
            return StrictUtf8.GetString([.. bytes]);
        }
        catch (DecoderFallbackException)
        {
            problem = "the key is not valid UTF-8 once percent-decoded";
            return null;
        }
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int Hex(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
