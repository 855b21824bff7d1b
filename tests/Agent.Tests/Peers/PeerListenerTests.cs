using System.Net;
using System.Net.Sockets;
using System.Text;
using DataCluster.Agent.Peers;
using DataCluster.Replication.Messages;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.Agent.Tests.Peers;

/// <summary>
/// The peer port's own listener, driven over raw sockets: frames however TCP splits them,
/// frames longer than its read buffer, request heads it refuses, and what stopping does to
/// open streams; streams read by their own threads and by a replication loop
/// (<see cref="StreamLoop"/>).
/// </summary>
public sealed class PeerListenerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly PeerDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Frames_split_across_many_small_writes_and_a_frame_longer_than_the_read_buffer_arrive_whole_and_in_order(bool loopReads)
    {
        await using var b = await PeerHost.StartAsync("dc-1", _directory);
        using var loop = loopReads ? new StreamLoop(b.Transport) : null;
        var atB = new Received(b.Transport.Inbound);
        using var socket = await UpgradeAsync(b.Address, PeerHost.Token.HeaderValue, "dc-1");
        // 20,000 heartbeats in one batch: about 200 KiB, three times the listener's read buffer.
        var large = PeerCodec.Encode("dc-0", new PeerMessage([.. Enumerable.Range(1, 20_000).Select(i => new Heartbeat(7, 1, i))]));
        var frames = new List<byte>();
        for (var commit = 1; commit <= 50; commit++)
        {
            frames.AddRange(HeartbeatFrame(commit));
        }

        var bytes = frames.Concat(PeerWire.Frame(large)).Concat(HeartbeatFrame(51)).ToArray();
        Assert.True(PeerWire.Frame(large).Length > 3 * (64 << 10));

        // Three bytes at a time, each write on its own, so prefixes and batches arrive in pieces.
        const int Split = 2_001;
        for (var at = 0; at < Split; at += 3)
        {
            await socket.SendAsync(bytes.AsMemory(at, 3), SocketFlags.None, Ct);
            await Task.Delay(at % 60 == 0 ? 1 : 0, Ct);
        }

        await socket.SendAsync(bytes.AsMemory(Split), SocketFlags.None, Ct);

        await Eventually.UntilAsync(() => atB.Heartbeats("dc-0", 1).Count == 51 && atB.Heartbeats("dc-0", 7).Count == 20_000, Deadline, "every frame delivered");
        Assert.Equal(Enumerable.Range(1, 51).Select(i => (long)i), atB.Heartbeats("dc-0", 1));
        Assert.Equal(Enumerable.Range(1, 20_000).Select(i => (long)i), atB.Heartbeats("dc-0", 7));
        Assert.Equal(0, b.Metrics.Rejected.Value(RejectReasons.BadBatch));
        if (loop is not null)
        {
            Assert.Equal(52, loop.DeliveredOnLoop);
            Assert.Equal(0, loop.DeliveredElsewhere);
        }
    }

    [Fact]
    public async Task A_peer_port_another_listener_holds_fails_the_start()
    {
        await using var a = await PeerHost.StartAsync("dc-0", _directory);

        var e = await Assert.ThrowsAnyAsync<IOException>(() => PeerHost.StartAsync("dc-1", _directory, port: a.Address.Port));

        Assert.Contains("cannot listen for peers", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_inbound_queue_holds_a_stream_the_loop_reads_until_there_is_room_and_loses_nothing()
    {
        await using var b = await PeerHost.StartAsync("dc-1", _directory, configure: o => o with { InboundCapacity = 2 });
        using var loop = new StreamLoop(b.Transport);
        using var socket = await UpgradeAsync(b.Address, PeerHost.Token.HeaderValue, "dc-1");
        var bytes = Enumerable.Range(1, 300).SelectMany(i => HeartbeatFrame(i)).ToArray();
        await socket.SendAsync(bytes, SocketFlags.None, Ct);

        // Nobody takes from the queue yet: it fills, and the loop holds the next batch.
        await Eventually.UntilAsync(() => b.Transport.Inbound.Count == 2, Deadline, "the inbound queue full");
        await Task.Delay(200, Ct);
        Assert.Equal(2, b.Transport.Inbound.Count);

        var atB = new Received(b.Transport.Inbound);
        await Eventually.UntilAsync(() => atB.Count == 300, Deadline, "every batch delivered once there is room");
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), atB.Heartbeats("dc-0", 1));
        Assert.Equal(0, loop.DeliveredElsewhere);
    }

    [Fact]
    public async Task When_the_loop_stops_its_streams_end_and_later_streams_are_read_by_threads_of_their_own()
    {
        await using var b = await PeerHost.StartAsync("dc-1", _directory);
        var atB = new Received(b.Transport.Inbound);
        var loop = new StreamLoop(b.Transport);
        using var first = await UpgradeAsync(b.Address, PeerHost.Token.HeaderValue, "dc-1");
        await first.SendAsync(HeartbeatFrame(1), SocketFlags.None, Ct);
        await Eventually.UntilAsync(() => atB.Count == 1, Deadline, "the first frame delivered");
        Assert.Equal(1, loop.DeliveredOnLoop);

        loop.Dispose();
        await AssertClosedAsync(first);
        await Eventually.UntilAsync(() => b.Listener.OpenConnections == 0, Deadline, "the ended stream released");

        using var second = await UpgradeAsync(b.Address, PeerHost.Token.HeaderValue, "dc-1");
        await second.SendAsync(HeartbeatFrame(2), SocketFlags.None, Ct);
        await Eventually.UntilAsync(() => atB.Count == 2, Deadline, "the second stream's frame delivered");
        Assert.Equal([1L, 2L], atB.Heartbeats("dc-0", 1));
        Assert.Equal(1, loop.DeliveredElsewhere);
    }

    [Fact]
    public async Task A_request_head_over_16_KiB_is_answered_431_and_the_port_goes_on_serving()
    {
        await using var b = await PeerHost.StartAsync("dc-1", _directory);
        using (var socket = await ConnectAsync(b.Address))
        {
            var head = $"GET {PeerWire.StreamPath} HTTP/1.1\r\nHost: x\r\nX-Filler: {new string('a', 17 << 10)}\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(head), SocketFlags.None, Ct);
            Assert.StartsWith("HTTP/1.1 431 ", await ReadAnswerAsync(socket));
        }

        using var after = await PeerWire.GetAsync(b.Address, "/v1/ring", PeerHost.Token.HeaderValue);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Fact]
    public async Task A_request_with_a_body_and_no_token_gets_its_401_and_a_malformed_request_line_gets_a_401_too()
    {
        await using var b = await PeerHost.StartAsync("dc-1", _directory);
        using (var socket = await ConnectAsync(b.Address))
        {
            var body = new string('b', 5000);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"POST {PeerWire.StreamPath} HTTP/1.1\r\nHost: x\r\nContent-Length: {body.Length}\r\n\r\n{body}"), SocketFlags.None, Ct);
            var answer = await ReadAnswerAsync(socket);
            Assert.StartsWith("HTTP/1.1 401 ", answer);
            Assert.Contains("WWW-Authenticate: Bearer", answer, StringComparison.Ordinal);
        }

        using (var socket = await ConnectAsync(b.Address))
        {
            await socket.SendAsync("NONSENSE\r\n\r\n"u8.ToArray(), SocketFlags.None, Ct);
            Assert.StartsWith("HTTP/1.1 401 ", await ReadAnswerAsync(socket));
        }

        Assert.Equal(2, b.Metrics.Rejected.Value(RejectReasons.MissingToken));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stopping_closes_open_streams_and_answers_new_ones_503(bool loopReads)
    {
        await using var b = await PeerHost.StartAsync("dc-1", _directory);
        using var loop = loopReads ? new StreamLoop(b.Transport) : null;
        var atB = new Received(b.Transport.Inbound);
        using var open = await UpgradeAsync(b.Address, PeerHost.Token.HeaderValue, "dc-1");
        await open.SendAsync(HeartbeatFrame(1), SocketFlags.None, Ct);
        await Eventually.UntilAsync(() => atB.Count == 1, Deadline, "the first frame delivered");

        b.Transport.StopReceiving();

        // The receiver closed its side: the open stream reads its end.
        await AssertClosedAsync(open);

        using var refused = await PeerWire.StreamAsync(b.Address, PeerHost.Token.HeaderValue, "dc-1", PeerCodec.Encode("dc-0", new PeerMessage([new Heartbeat(1, 1, 2)])));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal([1L], atB.Heartbeats("dc-0", 1));
    }

    /// <summary>One frame of one batch from dc-0: a heartbeat of partition 1 carrying <paramref name="commit"/>.</summary>
    private static byte[] HeartbeatFrame(long commit) => PeerWire.Frame(PeerCodec.Encode("dc-0", new PeerMessage([new Heartbeat(1, 1, commit)])));

    /// <summary>The listener closed its side of <paramref name="socket"/>: it reads its end.</summary>
    private static async Task AssertClosedAsync(Socket socket)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Deadline);
        Assert.Equal(0, await socket.ReceiveAsync(new byte[16], SocketFlags.None, timeout.Token));
    }

    private static async Task<Socket> ConnectAsync(Uri address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, address.Port, Ct);
        return socket;
    }

    /// <summary>A connection the listener has upgraded to a stream for <paramref name="to"/>.</summary>
    private static async Task<Socket> UpgradeAsync(Uri address, string authorization, string to)
    {
        var socket = await ConnectAsync(address);
        var head = $"GET {PeerWire.StreamPath} HTTP/1.1\r\nHost: x\r\nAuthorization: {authorization}\r\nConnection: Upgrade\r\nUpgrade: datacluster-peer/1\r\n{PeerHeaders.To}: {to}\r\n{PeerHeaders.From}: dc-0\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head), SocketFlags.None, Ct);
        var answer = await ReadAnswerAsync(socket, untilHeadEnds: true);
        Assert.StartsWith("HTTP/1.1 101 ", answer);
        Assert.Contains($"{PeerHeaders.Accepted}: {to}", answer, StringComparison.Ordinal);
        return socket;
    }

    /// <summary>Everything the listener sends until it closes (or, for a 101, until the head's blank line).</summary>
    private static async Task<string> ReadAnswerAsync(Socket socket, bool untilHeadEnds = false)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Deadline);
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        while (!(untilHeadEnds && answer.ToString().Contains("\r\n\r\n", StringComparison.Ordinal)))
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                break;
            }

            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return answer.ToString();
    }
}
