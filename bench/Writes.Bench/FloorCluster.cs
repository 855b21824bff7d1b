using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DataCluster.LocalCluster;
using DataCluster.Storage.Files;
using Microsoft.Win32.SafeHandles;

namespace DataCluster.Writes.Bench;

/// <summary>
/// The least a one-client QUORUM write can cost on this machine, whatever the server: three
/// processes on loopback, a leader and two followers, with nothing between the sockets and the
/// disk. The leader reads a client's HTTP/1.1 request on a blocking thread, sends the record to
/// both followers, writes and fdatasyncs its own log, waits for the first follower's
/// acknowledgement (each follower writes and fdatasyncs before it answers) and answers. No state
/// machine, no thread pool, no framework, no terms or offsets to check; one client connection.
/// Driven by the same load generator as the agents and etcd, it says how far one client can go
/// here: the agents' one-client figure is measured against it as well as against etcd.
/// </summary>
public sealed class FloorCluster : IAsyncDisposable
{
    private const string MemberMode = "floor-member";

    private readonly List<Process> _members;
    private readonly string _directory;
    private readonly HttpClient _http;
    private readonly Uri _leader;

    private FloorCluster(List<Process> members, string directory, Uri leader)
    {
        _members = members;
        _directory = directory;
        _leader = leader;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
    }

    /// <summary>True when <paramref name="args"/> start one of this cluster's member processes.</summary>
    public static bool IsMember(string[] args) => args.Length > 0 && args[0] == MemberMode;

    /// <summary>Starts two followers and a leader, each a process of this program, with logs under <paramref name="parent"/>.</summary>
    /// <param name="waitForFollower">False: the leader answers once its own fdatasync is done, as at ONE (the followers still get every record).</param>
    public static async Task<FloorCluster> StartAsync(string parent, bool waitForFollower, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(parent, "floor-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var ports = Enumerable.Range(0, 3).Select(_ => FreePort.OnLoopback()).ToArray();
        var members = new List<Process>();
        try
        {
            for (var i = 2; i >= 0; i--)
            {
                var arguments = new List<string> { MemberMode, Path.Combine(directory, $"m{i}"), ports[i].ToString(CultureInfo.InvariantCulture) };
                if (i == 0)
                {
                    arguments.Add(waitForFollower ? "QUORUM" : "ONE");
                    arguments.AddRange(ports[1..].Select(p => p.ToString(CultureInfo.InvariantCulture)));
                }

                members.Add(Start(arguments));
                await WaitForPortAsync(ports[i], cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await BenchProcesses.StopAsync(members, directory).ConfigureAwait(false);
            throw;
        }

        return new FloorCluster(members, directory, new Uri($"http://127.0.0.1:{ports[0]}"));
    }

    /// <summary>CPU seconds (user + system) the three processes have used so far.</summary>
    public double CpuSeconds() => _members.Sum(m => CpuTime.Of(m.Id));

    /// <summary>Writes <paramref name="body"/> as an event of <paramref name="key"/>; true when acknowledged.</summary>
    public async Task<bool> WriteAsync(string key, byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        using var response = await _http.PostAsync(new Uri(_leader, $"/v1/keys/{Uri.EscapeDataString(key)}/events"), content, cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.OK;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await BenchProcesses.StopAsync(_members, _directory).ConfigureAwait(false);
    }

    /// <summary>Runs one member: <c>floor-member DIRECTORY PORT [QUORUM|ONE FOLLOWER_PORT FOLLOWER_PORT]</c>; a leader when it is given followers.</summary>
    public static int RunMember(string[] args)
    {
        var directory = args[1];
        var port = int.Parse(args[2], CultureInfo.InvariantCulture);
        Directory.CreateDirectory(directory);
        using var log = new FloorLog(Path.Combine(directory, "log"));
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        listener.Listen(16);
        if (args.Length == 3)
        {
            Follow(listener, log);
        }
        else
        {
            var followers = args[4..].Select(p =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                socket.Connect(IPAddress.Loopback, int.Parse(p, CultureInfo.InvariantCulture));
                return socket;
            }).ToArray();
            Lead(listener, log, followers, waitForFollower: args[3] == "QUORUM");
        }

        return 0;
    }

    /// <summary>A follower: for each record from the leader, write it, fdatasync, acknowledge its sequence number. Connections are served one after another (the first is the start-up probe).</summary>
    private static void Follow(Socket listener, FloorLog log)
    {
        var prefix = new byte[4];
        var record = new byte[1 << 20];
        var ack = new byte[8];
        while (true)
        {
            using var leader = listener.Accept();
            leader.NoDelay = true;
            for (long sequence = 1; ReceiveExactly(leader, prefix); sequence++)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(prefix);
                if (!ReceiveExactly(leader, record.AsSpan(0, length)))
                {
                    break;
                }

                log.AppendDurably(record.AsSpan(0, length));
                BinaryPrimitives.WriteInt64BigEndian(ack, sequence);
                leader.Send(ack);
            }
        }
    }

    /// <summary>The leader: one client connection at a time, one request at a time.</summary>
    private static void Lead(Socket listener, FloorLog log, Socket[] followers, bool waitForFollower)
    {
        var acknowledged = new long[followers.Length];
        var ack = new byte[8];
        var prefix = new byte[4];
        long sequence = 0;
        var buffer = new byte[1 << 20];
        var filled = 0;
        while (true)
        {
            using var client = listener.Accept();
            client.NoDelay = true;
            filled = 0;
            while (true)
            {
                // The request: headers up to the blank line, then Content-Length bytes of body.
                int headerEnd;
                while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
                {
                    if (!ReceiveMore(client))
                    {
                        goto next;
                    }
                }

                var bodyStart = headerEnd + 4;
                var bodyLength = ContentLength(buffer.AsSpan(0, headerEnd));
                while (filled < bodyStart + bodyLength)
                {
                    if (!ReceiveMore(client))
                    {
                        goto next;
                    }
                }

                // Replicate: the record to both followers first, then this member's own write and fdatasync.
                sequence++;
                var record = buffer.AsSpan(0, bodyStart + bodyLength);
                BinaryPrimitives.WriteInt32BigEndian(prefix, record.Length);
                foreach (var follower in followers)
                {
                    follower.Send([new ArraySegment<byte>(prefix), new ArraySegment<byte>(buffer, 0, record.Length)]);
                }

                log.AppendDurably(record);

                // QUORUM of three: this member and the first follower to acknowledge the record.
                while (waitForFollower && acknowledged.Max() < sequence)
                {
                    var behind = followers.Where((_, i) => acknowledged[i] < sequence).ToList();
                    Socket.Select(behind, null, null, -1);
                    if (!behind.All(ReadAcknowledgement))
                    {
                        return;
                    }
                }

                // At ONE, acknowledgements already here are read without waiting.
                if (!followers.Where(f => f.Available > 0).All(ReadAcknowledgement))
                {
                    return;
                }

                var answer = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"partition\":0,\"epoch\":1,\"offset\":{sequence},\"commitLevel\":\"QUORUM\"}}"));
                var head = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {answer.Length}\r\n\r\n"));
                client.Send([new ArraySegment<byte>(head), new ArraySegment<byte>(answer)]);
                var consumed = bodyStart + bodyLength;
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }

        next:;
        }

        bool ReceiveMore(Socket client)
        {
            var read = client.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None);
            filled += read;
            return read > 0;
        }

        bool ReadAcknowledgement(Socket follower)
        {
            if (!ReceiveExactly(follower, ack))
            {
                return false;
            }

            acknowledged[Array.IndexOf(followers, follower)] = BinaryPrimitives.ReadInt64BigEndian(ack);
            return true;
        }
    }

    private static int ContentLength(ReadOnlySpan<byte> headers)
    {
        foreach (var line in Encoding.ASCII.GetString(headers).Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                return int.Parse(line.AsSpan("Content-Length:".Length).Trim(), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static bool ReceiveExactly(Socket socket, Span<byte> into)
    {
        while (into.Length > 0)
        {
            var read = socket.Receive(into);
            if (read == 0)
            {
                return false;
            }

            into = into[read..];
        }

        return true;
    }

    private static Process Start(IEnumerable<string> arguments)
    {
        // Started as `dotnet datacluster-bench-writes.dll` the host needs the assembly; started
        // through the apphost (as `dotnet run` does) the apphost is the program itself.
        var host = Environment.ProcessPath!;
        var info = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "datacluster-bench-writes.dll"));
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start a floor member");
    }

    private static async Task WaitForPortAsync(int port, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A log file written ahead in zeros and then overwritten in place, so that fdatasync has no metadata to commit (as the agents' write-ahead log does).</summary>
    private sealed class FloorLog : IDisposable
    {
        private const long Size = 64L << 20;
        private readonly SafeFileHandle _handle;
        private long _next;

        public FloorLog(string path)
        {
            _handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite);
            var zeros = new byte[1 << 20];
            for (long at = 0; at < Size; at += zeros.Length)
            {
                RandomAccess.Write(_handle, zeros, at);
            }

            DurableFile.Sync(_handle);
        }

        public void AppendDurably(ReadOnlySpan<byte> record)
        {
            if (_next + record.Length > Size)
            {
                _next = 0;
            }

            RandomAccess.Write(_handle, record, _next);
            _next += record.Length;
            DurableFile.SyncData(_handle);
        }

        public void Dispose() => _handle.Dispose();
    }
}
