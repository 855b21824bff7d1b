using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using W = DataCluster.Agent.Peers.Wire;

namespace DataCluster.Agent.Peers;

/// <summary>
/// The framing of the peer protocol (see <c>peer.proto</c>): a sender opens an HTTP/1.1
/// request on the peer port asking to upgrade to <see cref="Protocol"/>; once the receiver
/// answers 101, the connection carries, from sender to receiver only, frames of a 4-byte
/// big-endian length followed by one encoded <see cref="W.PeerBatch"/>.
/// </summary>
internal static class PeerStream
{
    /// <summary>The request path of the stream.</summary>
    public const string Path = "/datacluster.peer.v1/stream";

    /// <summary>The protocol named in the <c>Upgrade</c> headers.</summary>
    public const string Protocol = "datacluster-peer/1";

    /// <summary>Bytes of a frame's length prefix.</summary>
    public const int PrefixBytes = 4;

    /// <summary>What an answer in another protocol most likely means.</summary>
    public const string OtherProtocol = "an agent build that serves gRPC over HTTP/2 on its peer port: members of such builds and this one cannot replicate to each other";

    /// <summary>Most bytes of a response head the sender reads before giving up on the peer.</summary>
    private const int MaxHeadBytes = 16 << 10;

    /// <summary>The upgrade request a sender writes first.</summary>
    public static byte[] Request(Uri address, PeerToken token, string to, string from) => Encoding.ASCII.GetBytes(
        $"GET {Path} HTTP/1.1\r\nHost: {address.Authority}\r\nAuthorization: {token.HeaderValue}\r\nConnection: Upgrade\r\nUpgrade: {Protocol}\r\n{PeerHeaders.To}: {to}\r\n{PeerHeaders.From}: {from}\r\n\r\n");

    /// <summary>Writes <paramref name="batch"/> as one frame into a pooled buffer; return it to <see cref="ArrayPool{T}.Shared"/>.</summary>
    public static byte[] Frame(W.PeerBatch batch, out int length)
    {
        var size = batch.CalculateSize();
        length = PrefixBytes + size;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        BinaryPrimitives.WriteInt32BigEndian(buffer, size);
        batch.WriteTo(buffer.AsSpan(PrefixBytes, size));
        return buffer;
    }

    /// <summary>
    /// A peer whose host vanished sends no reset: TCP keepalive probes the idle connection after
    /// <paramref name="idle"/>, once a second, and closes it after <paramref name="unanswered"/>
    /// of unanswered probes. With <paramref name="bounded"/>, data the peer has not acknowledged
    /// after both closes it too (<c>TCP_USER_TIMEOUT</c>, Linux). Whole seconds, at least one.
    /// </summary>
    public static void KeepAlive(Socket socket, TimeSpan idle, TimeSpan unanswered, bool bounded)
    {
        var delay = Math.Max(1, (int)idle.TotalSeconds);
        var timeout = Math.Max(1, (int)unanswered.TotalSeconds);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, delay);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 1);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, timeout);
        if (bounded && OperatingSystem.IsLinux())
        {
            // TCP_USER_TIMEOUT (IPPROTO_TCP 6, option 18), in milliseconds.
            socket.SetRawSocketOption(6, 18, BitConverter.GetBytes((uint)((delay + timeout) * 1000)));
        }
    }

    /// <summary>Sends all of <paramref name="bytes"/>.</summary>
    public static async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> bytes, CancellationToken token)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await socket.SendAsync(bytes, SocketFlags.None, token).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }

    /// <summary>
    /// Reads the receiver's answer to the upgrade request up to its blank line: the status code
    /// and, when it accepted, the member id it named. Nothing follows a 101 until the sender
    /// writes, so no byte past the head is consumed.
    /// </summary>
    public static async Task<(int Status, string? Accepted, string Reason)> ReadHeadAsync(Socket socket, CancellationToken token)
    {
        var buffer = new byte[MaxHeadBytes];
        var length = 0;
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, token).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException($"the peer closed the connection before answering the upgrade{(length == 0 ? $" (another program, or {OtherProtocol})" : "")}");
            }

            length += read;
            var start = Math.Min(length, 5);
            if (!buffer.AsSpan(0, start).SequenceEqual("HTTP/"u8[..start]))
            {
                throw new IOException($"the peer answered in something other than HTTP/1.1 (first bytes {Convert.ToHexString(buffer, 0, Math.Min(length, 9))}: another program, or {OtherProtocol})");
            }
            var end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                return ParseHead(Encoding.ASCII.GetString(buffer, 0, end));
            }

            if (length == buffer.Length)
            {
                throw new IOException($"the peer's answer has no end within {MaxHeadBytes} bytes");
            }
        }
    }

    private static (int Status, string? Accepted, string Reason) ParseHead(string head)
    {
        var lines = head.Split("\r\n");
        var status = lines[0].Split(' ', 3);
        if (status.Length < 2 || !status[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !int.TryParse(status[1], out var code))
        {
            throw new IOException($"the peer answered something other than HTTP: '{Shorten(lines[0])}'");
        }

        string? accepted = null;
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals(PeerHeaders.Accepted, StringComparison.OrdinalIgnoreCase))
            {
                accepted = line[(colon + 1)..].Trim();
            }
        }

        return (code, accepted, status.Length > 2 ? status[2] : "");
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "...");
}
