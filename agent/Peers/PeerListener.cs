using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DataCluster.Agent.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Peers;

/// <summary>
/// The peer port: a listening socket of the agent's own, not the web server's. Every accepted
/// connection gets a thread that reads its HTTP/1.1 request head and guards it
/// (<see cref="Answer"/>). Once it answered 101, that peer's stream of batches
/// (<see cref="PeerStream"/>, <see cref="PeerFrameReader"/>) goes to the replication loop, which
/// reads it itself (<see cref="PeerStreamPoll"/>); while no loop takes streams, the connection's
/// thread reads it with blocking receives. Either way its batches reach
/// <see cref="StreamPeerTransport.Inbound"/> in the order they arrive.
/// </summary>
/// <remarks>
/// <para>Why not the web server: there a peer's batch went from the socket engine's thread to a
/// thread-pool worker and then to the replication loop, and on this kind of machine each such
/// hand-over costs a thread wake-up (docs/performance.md). The loop waiting in the streams'
/// sockets itself is woken by the batch; a thread blocked in its socket's receive hands it
/// straight to the loop.</para>
/// <para>A member has one stream from each peer (a handful), plus short-lived refused requests.
/// At most <see cref="MaxConnections"/> are open at once; more are closed at once and counted.
/// When the inbound queue is full a stream is not read until it has room, and TCP flow control
/// holds that sender back.</para>
/// <para>Thread-safe; started and stopped by the host (<see cref="IHostedService"/>).</para>
/// </remarks>
public sealed class PeerListener : IHostedService, IDisposable
{
    /// <summary>
    /// Connections open at once. A cluster of 64 members has 63 streams into each; the rest of
    /// the room is for refused requests that have not closed yet.
    /// </summary>
    public const int MaxConnections = 256;

    /// <summary>Most bytes of a request head (request line and headers); a longer one is answered 431.</summary>
    private const int MaxHeadBytes = 16 << 10;

    /// <summary>Most bytes of a refused request's body read (and dropped) before answering, so the caller sees the answer rather than a reset.</summary>
    private const int MaxDrainedBodyBytes = 64 << 10;

    /// <summary>A caller has this long to send its request head: a connection that says nothing does not hold a thread.</summary>
    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The receiver's TCP keepalive probes a peer's connection after this long without traffic,
    /// once a second, and closes it after as many unanswered probes. It only frees the receiving
    /// side of a sender that vanished (the sender probes on its own, sooner); 10 s + 10 s keeps
    /// that cleanup well under a minute without probing busy connections.
    /// </summary>
    private static readonly TimeSpan PingDelay = TimeSpan.FromSeconds(10);

    private readonly StreamPeerTransport _transport;
    private readonly IPEndPoint _endpoint;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private Socket? _listening;
    private CancellationTokenRegistration _stopping;
    private int _stopped;

    /// <param name="transport">Receives the decoded batches; its token guards the port.</param>
    /// <param name="address">Address to listen on.</param>
    /// <param name="port">Port to listen on; 0 picks a free one (read <see cref="LocalEndPoint"/> once started).</param>
    /// <param name="loggers">Logger factory.</param>
    public PeerListener(StreamPeerTransport transport, IPAddress address, int port, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(loggers);
        _transport = transport;
        _endpoint = new IPEndPoint(address, port);
        _logger = loggers.CreateLogger("DataCluster.Agent.Peers");
    }

    /// <summary>The bound address and port once started; null before.</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <summary>Connections open now (streams and requests being answered).</summary>
    public int OpenConnections => _open.Count;

    /// <summary>Binds and starts accepting; a port in use fails here, as the web server's bind would.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Socket socket;
        try
        {
            socket = ListeningSocket.Open(_endpoint);
        }
        catch (SocketException e)
        {
            throw new IOException($"cannot listen for peers on {_endpoint}: {e.Message}", e);
        }

        _listening = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        // When the member begins to stop, every stream closes (its sender retries elsewhere or
        // later) and new connections are answered 503 until the listener itself stops.
        _stopping = _transport.Receiving.Register(CloseStreams);
        new Thread(Accept) { IsBackground = true, Name = "peer-accept" }.Start();
        return Task.CompletedTask;
    }

    /// <summary>Stops accepting and closes every connection.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        _stopping.Dispose();
        _listening?.Dispose();
        CloseStreams();
    }

    private void CloseStreams()
    {
        foreach (var socket in _open.Keys)
        {
            Close(socket);
        }
    }

    private static void Close(Socket socket)
    {
        try
        {
            // Ends a receive blocked on another thread.
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        socket.Dispose();
    }

    private void Accept()
    {
        var listening = _listening!;
        while (Volatile.Read(ref _stopped) == 0)
        {
            Socket connection;
            try
            {
                connection = listening.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (Volatile.Read(ref _stopped) != 0)
                {
                    return;
                }

                // A connection reset before it was accepted, or the process is out of descriptors:
                // the next accept may well succeed; do not spin if it does not.
                Thread.Sleep(10);
                continue;
            }

            if (_open.Count >= MaxConnections || Volatile.Read(ref _stopped) != 0)
            {
                _transport.Metrics.Rejected.Inc(RejectReasons.TooManyConnections);
                connection.Dispose();
                continue;
            }

            _open[connection] = 0;
            if (Volatile.Read(ref _stopped) != 0)
            {
                // Dispose ran between the check and the registration and did not see it.
                Close(connection);
            }

            new Thread(() => Serve(connection)) { IsBackground = true, Name = "peer-in" }.Start();
        }
    }

    /// <summary>The caller's address for logs; "(closed)" when a stop closed the connection before its thread began.</summary>
    private static string RemoteOf(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint is IPEndPoint ip ? $"{ip.Address}:{ip.Port}" : "(unknown)";
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            return "(closed)";
        }
    }

    /// <summary>One connection, start to end, on its own thread.</summary>
    private void Serve(Socket socket)
    {
        var remote = RemoteOf(socket);
        var adopted = false;
        try
        {
            socket.NoDelay = true;
            PeerStream.KeepAlive(socket, PingDelay, PingDelay, bounded: false);
            socket.ReceiveTimeout = (int)HeadTimeout.TotalMilliseconds;
            var buffer = new byte[PeerFrameReader.BufferBytes];
            if (ReadHead(socket, buffer, out var headLength, out var filled) is not { } request)
            {
                if (headLength < 0)
                {
                    SendAnswer(socket, 431, "Request Header Fields Too Large", "");
                }

                return;
            }

            var (status, reason, headers, from) = Answer(request, remote);
            if (status != 101)
            {
                DrainBody(socket, request, filled - headLength);
                SendAnswer(socket, status, reason, headers);
                return;
            }

            SendAnswer(socket, status, reason, headers);
            socket.ReceiveTimeout = 0;
            _transport.PeerCalled(from);
            // The stream's frames: 4-byte big-endian length and one encoded batch, read in order
            // until the sender closes or a frame is bad (counted, logged, and the stream closed).
            var reader = new PeerFrameReader(_transport, _logger, socket, buffer, headLength, filled, from, remote, Release);
            if (_transport.StreamPoll is { } poll)
            {
                socket.Blocking = false;
                if (poll.TryAdopt(reader))
                {
                    // The replication loop reads it from now on, and releases it when it ends.
                    adopted = true;
                    return;
                }

                socket.Blocking = true;
            }

            reader.Run();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            // The caller went away (closed, reset, timed out, or its connection died), or this member is stopping.
        }
        finally
        {
            if (!adopted)
            {
                Release(socket);
            }
        }
    }

    /// <summary>A connection is done with: no longer counted as open, and closed.</summary>
    private void Release(Socket socket)
    {
        _open.TryRemove(socket, out _);
        Close(socket);
    }

    /// <summary>
    /// Reads up to the head's blank line: the parsed request, or null when the caller closed
    /// first or the head is over <see cref="MaxHeadBytes"/> (<paramref name="headLength"/> -1).
    /// Bytes after the head stay in <paramref name="buffer"/> up to <paramref name="filled"/>.
    /// </summary>
    private static PeerRequest? ReadHead(Socket socket, byte[] buffer, out int headLength, out int filled)
    {
        filled = 0;
        headLength = 0;
        while (true)
        {
            var read = socket.Receive(buffer, filled, Math.Min(buffer.Length, MaxHeadBytes) - filled, SocketFlags.None);
            if (read == 0)
            {
                return null;
            }

            var searchFrom = Math.Max(0, filled - 3);
            filled += read;
            var end = buffer.AsSpan(searchFrom, filled - searchFrom).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                headLength = searchFrom + end + 4;
                return PeerRequest.Parse(Encoding.Latin1.GetString(buffer, 0, searchFrom + end));
            }

            if (filled >= MaxHeadBytes)
            {
                headLength = -1;
                return null;
            }
        }
    }

    /// <summary>
    /// What the peer port answers a request, in this order: 401 without the bearer token or with
    /// another one (logged and counted; nothing else is looked at), 404 for anything but the
    /// stream, 426 for the stream without the upgrade, 421 for a stream meant for another member,
    /// 503 while this member stops, and otherwise 101 naming this member.
    /// </summary>
    private (int Status, string Reason, string Headers, string From) Answer(PeerRequest request, string remote)
    {
        var from = request.Header(PeerHeaders.From) is { Length: > 0 } claimed ? claimed : "(unnamed)";
        var authorization = request.Headers(HeaderNames.Authorization);
        if (authorization.Count != 1 || !_transport.Token.Matches(authorization[0]))
        {
            var reason = authorization.Count == 0 ? RejectReasons.MissingToken : RejectReasons.WrongToken;
            _transport.Metrics.Rejected.Inc(reason);
            PeerLog.Unauthorized(_logger, remote, request.Path, reason == RejectReasons.MissingToken ? "no bearer token" : "a wrong bearer token");
            return (401, "Unauthorized", $"WWW-Authenticate: {PeerToken.Scheme}\r\n", from);
        }

        if (!request.Method.Equals("GET", StringComparison.Ordinal) || !request.Path.Equals(PeerStream.Path, StringComparison.OrdinalIgnoreCase))
        {
            return (404, "Not Found", "", from);
        }

        if (!request.HasToken(HeaderNames.Connection, "upgrade") || !string.Equals(request.Header(HeaderNames.Upgrade), PeerStream.Protocol, StringComparison.OrdinalIgnoreCase))
        {
            return (426, "Upgrade Required", $"Upgrade: {PeerStream.Protocol}\r\n", from);
        }

        var to = request.Header(PeerHeaders.To) ?? "";
        var self = _transport.Self;
        if (!string.Equals(to, self, StringComparison.Ordinal))
        {
            _transport.Metrics.Rejected.Inc(RejectReasons.WrongMember);
            PeerLog.WrongMember(_logger, from, remote, to.Length > 0 ? to : "(none)", self);
            return (421, "Misdirected Request", "", from);
        }

        if (_transport.Receiving.IsCancellationRequested)
        {
            return (503, "Service Unavailable", "", from);
        }

        // The answer names this member: the sender takes nothing from its queue before it sees that.
        return (101, "Switching Protocols", $"Connection: Upgrade\r\nUpgrade: {PeerStream.Protocol}\r\n{PeerHeaders.Accepted}: {self}\r\n", from);
    }

    /// <summary>Reads and drops a refused request's body (up to a bound), so that closing the connection does not reset it before the caller has read the answer.</summary>
    private static void DrainBody(Socket socket, PeerRequest request, int alreadyRead)
    {
        if (!long.TryParse(request.Header(HeaderNames.ContentLength), out var length) || length <= alreadyRead || length > MaxDrainedBodyBytes)
        {
            return;
        }

        var rest = (int)length - alreadyRead;
        var scratch = new byte[Math.Min(rest, 8192)];
        while (rest > 0)
        {
            var read = socket.Receive(scratch, 0, Math.Min(rest, scratch.Length), SocketFlags.None);
            if (read == 0)
            {
                return;
            }

            rest -= read;
        }
    }

    private static void SendAnswer(Socket socket, int status, string reason, string headers)
    {
        var close = status == 101 ? "" : "Content-Length: 0\r\nConnection: close\r\n";
        var bytes = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {reason}\r\n{headers}{close}\r\n");
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += socket.Send(bytes, sent, bytes.Length - sent, SocketFlags.None);
        }

        if (status != 101)
        {
            socket.Shutdown(SocketShutdown.Send);
        }
    }

    private static class HeaderNames
    {
        public const string Authorization = "Authorization";
        public const string Connection = "Connection";
        public const string Upgrade = "Upgrade";
        public const string ContentLength = "Content-Length";
    }
}

/// <summary>An HTTP/1.1 request head as the peer port reads it: method, path without query, and headers.</summary>
internal sealed class PeerRequest
{
    private readonly List<(string Name, string Value)> _headers;

    private PeerRequest(string method, string path, List<(string Name, string Value)> headers)
    {
        Method = method;
        Path = path;
        _headers = headers;
    }

    public string Method { get; }

    public string Path { get; }

    /// <summary>Parses a head (without its blank line); a malformed request line gives an empty method and path, which nothing matches.</summary>
    public static PeerRequest Parse(string head)
    {
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ');
        var method = parts.Length == 3 && parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal) ? parts[0] : "";
        var target = parts.Length == 3 ? parts[1] : "";
        var query = target.IndexOf('?', StringComparison.Ordinal);
        var headers = new List<(string, string)>();
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
            }
        }

        return new PeerRequest(method, query >= 0 ? target[..query] : target, headers);
    }

    /// <summary>Every value of the header <paramref name="name"/>, in order.</summary>
    public List<string> Headers(string name) =>
        [.. _headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value)];

    /// <summary>The header's first value, or null.</summary>
    public string? Header(string name) => Headers(name) is [var first, ..] ? first : null;

    /// <summary>True when a comma-separated header lists <paramref name="token"/> (as <c>Connection: keep-alive, Upgrade</c>).</summary>
    public bool HasToken(string name, string token) =>
        Headers(name).Any(value => value.Split(',').Any(t => t.Trim().Equals(token, StringComparison.OrdinalIgnoreCase)));
}
