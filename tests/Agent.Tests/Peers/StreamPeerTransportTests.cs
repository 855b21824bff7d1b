using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using DataCluster.Agent.Peers;
using DataCluster.Replication.Messages;
using DataCluster.Storage;
using DataCluster.Testing;
using Google.Protobuf;
using Xunit;
using W = DataCluster.Agent.Peers.Wire;

namespace DataCluster.Agent.Tests.Peers;

/// <summary>The stream transport between real hosts on loopback: authentication, failures, reconnection and load shedding.</summary>
public sealed class StreamPeerTransportTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly PeerDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Drops(PeerHost host, string peer) =>
        string.Join(", ", new[] { DropReasons.QueueFull, DropReasons.Expired, DropReasons.SendFailed }.Select(reason => $"{reason} {host.Metrics.ItemsDropped.Value(peer, reason)}"));

    [Fact]
    public async Task A_request_without_the_token_or_with_a_wrong_one_is_answered_401_and_delivers_nothing()
    {
        await using var b = await PeerHost.StartAsync("dc-1", _directory);
        var atB = new Received(b.Transport.Inbound);
        var batch = PeerCodec.Encode("dc-0", new PeerMessage([new Heartbeat(1, 1, 42)]));

        using var missing = await PeerWire.StreamAsync(b.Address, null, "dc-1", batch);
        using var wrong = await PeerWire.StreamAsync(b.Address, "Bearer not-the-token", "dc-1", batch);
        using var longer = await PeerWire.StreamAsync(b.Address, PeerHost.Token.HeaderValue + "x", "dc-1", batch);
        using var otherScheme = await PeerWire.StreamAsync(b.Address, "Basic " + PeerHost.Token.Value, "dc-1", batch);
        using var accepted = await PeerWire.StreamAsync(b.Address, PeerHost.Token.HeaderValue, "dc-1", batch);

        Assert.All([missing, wrong, longer, otherScheme], r =>
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Equal("Bearer", r.Headers.WwwAuthenticate.ToString());
        });
        Assert.Equal(HttpStatusCode.SwitchingProtocols, accepted.StatusCode);
        Assert.Equal("dc-1", accepted.Headers.GetValues(PeerHeaders.Accepted).Single());
        await Eventually.UntilAsync(() => atB.Count == 1, Deadline, "the authenticated batch arrives");
        // The four refused requests ended before the accepted one was sent: had any of them been
        // delivered, it would be here too.
        var only = Assert.Single(atB.Items);
        Assert.Equal(("dc-0", 42L), (only.From, ((Heartbeat)only.Item).CommitOffset));
        Assert.Equal(1, b.Metrics.Rejected.Value(RejectReasons.MissingToken));
        Assert.Equal(3, b.Metrics.Rejected.Value(RejectReasons.WrongToken));
        Assert.Equal(4, b.Log.Lines.Count(l => l.EventId == 16008));
    }

    [Fact]
    public async Task Messages_of_a_type_from_a_newer_peer_are_left_out_and_counted_while_the_rest_of_their_batch_is_delivered()
    {
        await using var b = await PeerHost.StartAsync("dc-1", _directory);
        var atB = new Received(b.Transport.Inbound);
        var batch = PeerCodec.Encode("dc-0", new PeerMessage([new Heartbeat(1, 1, 41), new Heartbeat(2, 1, 42)]));
        // A oneof field this schema lacks (field 99): a message type a newer agent added.
        var newer = W.PartitionMessage.Parser.ParseFrom([.. new W.PartitionMessage { Partition = 3, Term = 1 }.ToByteArray(), 0x9A, 0x06, 0x00]);
        batch.Items.Insert(1, newer);
        batch.Items.Add(newer);

        using var answer = await PeerWire.StreamAsync(b.Address, PeerHost.Token.HeaderValue, "dc-1", batch);

        Assert.Equal(HttpStatusCode.SwitchingProtocols, answer.StatusCode);
        await Eventually.UntilAsync(() => atB.Count == 2, Deadline, "the two known messages arrive");
        Assert.Equal([41L, 42L], atB.Items.Select(i => ((Heartbeat)i.Item).CommitOffset));
        Assert.Equal(2, b.Metrics.Rejected.Value(RejectReasons.UnknownMessage));
        Assert.Equal(0, b.Metrics.Rejected.Value(RejectReasons.BadBatch));
        Assert.Single(b.Log.Lines, l => l.EventId == 16012);
    }

    [Fact]
    public async Task A_frame_over_the_limit_or_one_that_does_not_decode_closes_its_stream_is_counted_and_delivers_nothing_after_it()
    {
        await using var b = await PeerHost.StartAsync("dc-1", _directory);
        var atB = new Received(b.Transport.Inbound);
        var good = PeerWire.Frame(PeerCodec.Encode("dc-0", new PeerMessage([new Heartbeat(1, 1, 1)])));
        var after = PeerWire.Frame(PeerCodec.Encode("dc-0", new PeerMessage([new Heartbeat(1, 1, 2)])));
        // A length over 64 MiB, then a length of 3 with bytes that are no protobuf message.
        byte[] huge = [0x7F, 0xFF, 0xFF, 0xFF];
        byte[] garbled = [0, 0, 0, 3, 0xFF, 0xFF, 0xFF];

        using var tooLong = await PeerWire.StreamRawAsync(b.Address, PeerHost.Token.HeaderValue, "dc-1", [.. good, .. huge, .. after]);
        using var undecodable = await PeerWire.StreamRawAsync(b.Address, PeerHost.Token.HeaderValue, "dc-1", [.. garbled, .. after]);

        Assert.Equal(HttpStatusCode.SwitchingProtocols, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, undecodable.StatusCode);
        // The count goes up just before the log line is written: wait for both.
        await Eventually.UntilAsync(
            () => b.Metrics.Rejected.Value(RejectReasons.BadBatch) == 2 && b.Log.Lines.Count(l => l.EventId == 16010) == 2,
            Deadline,
            "both streams are refused, counted and logged");
        Assert.Contains(b.Log.Lines, l => l.EventId == 16010 && l.Message.Contains("2147483647 bytes", StringComparison.Ordinal));
        // The frame before the bad one was delivered; nothing after a bad frame was.
        Assert.Equal([1L], atB.Heartbeats("dc-0", 1));
    }

    [Fact]
    public async Task The_stream_path_without_the_upgrade_is_answered_426_and_naming_another_member_421()
    {
        await using var b = await PeerHost.StartAsync("dc-1", _directory);
        var atB = new Received(b.Transport.Inbound);

        using var plain = await PeerWire.GetAsync(b.Address, PeerWire.StreamPath, PeerHost.Token.HeaderValue);
        using var misdirected = await PeerWire.StreamAsync(b.Address, PeerHost.Token.HeaderValue, "dc-2", PeerCodec.Encode("dc-0", new PeerMessage([new Heartbeat(1, 1, 1)])));

        Assert.Equal(HttpStatusCode.UpgradeRequired, plain.StatusCode);
        Assert.Equal("datacluster-peer/1", plain.Headers.Upgrade.ToString());
        Assert.Equal(HttpStatusCode.MisdirectedRequest, misdirected.StatusCode);
        Assert.Equal(1, b.Metrics.Rejected.Value(RejectReasons.WrongMember));
        Assert.Equal(0, atB.Count);
    }

    [Fact]
    public async Task When_the_connection_cannot_take_more_the_rest_waits_in_the_queue_and_every_message_arrives_in_order()
    {
        await using var a = await PeerHost.StartAsync("dc-0", _directory, configure: o => o with { QueueCapacity = 4096, MaxMessageAge = TimeSpan.FromMinutes(5) });
        await using var b = await PeerHost.StartAsync("dc-1", _directory);
        var atB = new Received(b.Transport.Inbound);
        a.Send("dc-1", new Heartbeat(0, 1, -1));
        await Eventually.UntilAsync(() => atB.Count == 1, Deadline, "the stream is up");

        // 1,000 messages of 64 KiB in one burst: far more than the connection's buffers, so most
        // sends find them full and queue behind the part of a frame a direct send left.
        var body = new byte[64 << 10];
        const int Count = 1000;
        for (var i = 0; i < Count; i++)
        {
            a.Send("dc-1",
                new Heartbeat(0, 1, i),
                new Append(1, 1, i - 1, 1, [new LogRecord(i, 1, RecordKind.Data, 0, ReadOnlyMemory<byte>.Empty, null, body)], 0));
        }

        await Eventually.UntilAsync(() => atB.Count == 1 + 2 * Count, Deadline, "every message arrives", () => $"{atB}; dropped: {Drops(a, "dc-1")}");
        Assert.Equal(Enumerable.Range(-1, Count + 1).Select(i => (long)i), atB.Heartbeats("dc-0", 0));
        Assert.Equal(
            Enumerable.Range(0, Count).Select(i => (long)i),
            atB.Items.Where(i => i.Item is Append).Select(i => ((Append)i.Item).Records[0].Offset));
    }

    [Fact]
    public async Task A_peer_port_that_speaks_HTTP2_only_is_reported_as_another_protocol_and_retried()
    {
        // A server that answers any connection with an HTTP/2 SETTINGS frame and closes it.
        using var raw = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        raw.Start();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    using var client = await raw.AcceptTcpClientAsync(Ct);
                    await client.GetStream().WriteAsync(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 }, Ct);
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException or OperationCanceledException or IOException)
            {
                // The listener stopped.
            }
        }, Ct);

        // What an agent build that served gRPC on its peer port looks like to this sender.
        ListenOptions? endpoint = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            endpoint = listen;
        }));
        builder.Logging.ClearProviders();
        await using var http2 = builder.Build();
        http2.MapGet("/", () => "h2");
        await http2.StartAsync(Ct);
        await using var a = await PeerHost.StartAsync("dc-0", _directory);
        _directory.Set("dc-1", new Uri($"http://127.0.0.1:{endpoint!.IPEndPoint!.Port}"));

        a.Send("dc-1", new Heartbeat(0, 1, 1));

        await Eventually.UntilAsync(() => a.Metrics.StreamFailures.Value("dc-1") >= 2, Deadline, "the sender is refused and retries");
        Assert.Equal(0, a.Metrics.Connected.Value("dc-1"));
        Assert.Contains(a.Log.Lines, l => l.EventId == 16001 && l.Message.Contains("HTTP 400", StringComparison.Ordinal) && l.Message.Contains("gRPC over HTTP/2", StringComparison.Ordinal));
        await http2.StopAsync(Ct);

        _directory.Set("dc-2", new Uri($"http://127.0.0.1:{((IPEndPoint)raw.LocalEndpoint).Port}"));
        a.Send("dc-2", new Heartbeat(0, 1, 1));
        await Eventually.UntilAsync(() => a.Metrics.StreamFailures.Value("dc-2") >= 1, Deadline, "the sender gives up on the binary answer");
        Assert.Contains(a.Log.Lines, l => l.EventId == 16001 && l.Message.Contains("other than HTTP/1.1 (first bytes 000000040000000000", StringComparison.Ordinal));
        raw.Stop();
    }

    [Fact]
    public async Task A_member_holding_another_token_is_refused_and_nothing_it_sends_is_delivered()
    {
        await using var a = await PeerHost.StartAsync("dc-0", _directory, token: PeerToken.FromValue("another-clusters-token"));
        await using var b = await PeerHost.StartAsync("dc-1", _directory);
        var atB = new Received(b.Transport.Inbound);

        a.Send("dc-1", new Heartbeat(1, 1, 1));

        await Eventually.UntilAsync(
            () => a.Metrics.StreamFailures.Value("dc-1") >= 2 && b.Metrics.Rejected.Value(RejectReasons.WrongToken) >= 2,
            Deadline,
            "the sender retries and is refused each time");
        Assert.Equal(0, atB.Count);
        Assert.Equal(0, a.Metrics.Connected.Value("dc-1"));
        Assert.Contains(a.Log.Lines, l => l.EventId == 16001 && l.Message.Contains("401", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_peer_that_goes_away_and_comes_back_on_its_address_receives_messages_again()
    {
        await using var a = await PeerHost.StartAsync("dc-0", _directory);
        var b = await PeerHost.StartAsync("dc-1", _directory);
        var port = b.Address.Port;
        var before = new Received(b.Transport.Inbound);
        a.Send("dc-1", new Heartbeat(0, 1, 0));
        await Eventually.UntilAsync(() => before.Count == 1, Deadline, "the first message arrives");
        Assert.Equal(1, a.Metrics.Connected.Value("dc-1"));

        await b.StopAsync();
        await Eventually.UntilAsync(
            () => a.Metrics.StreamFailures.Value("dc-1") >= 1 && a.Metrics.Connected.Value("dc-1") == 0,
            Deadline,
            "the sender notices the stream is gone");
        // With something to send it keeps trying; every attempt is refused while the peer is away.
        a.Send("dc-1", new Heartbeat(0, 1, 1));
        await Eventually.UntilAsync(() => a.Metrics.StreamFailures.Value("dc-1") >= 3, Deadline, "the sender retries");
        Assert.Contains(a.Log.Lines, l => l.EventId == 16001);

        await using var back = await PeerHost.StartAsync("dc-1", _directory, port);
        var after = new Received(back.Transport.Inbound);
        var next = 2L;
        await Eventually.UntilAsync(
            () =>
            {
                a.Send("dc-1", new Heartbeat(0, 1, next++));
                return after.Count > 0;
            },
            Deadline,
            "messages reach the peer again");
        a.Send("dc-1", new Heartbeat(0, 1, 1000));
        a.Send("dc-1", new Heartbeat(0, 1, 1001));

        await Eventually.UntilAsync(() => after.Heartbeats("dc-0", 0).Contains(1001), Deadline, "the last message arrives", () => string.Join(",", after.Heartbeats("dc-0", 0)));
        var seen = after.Heartbeats("dc-0", 0);
        Assert.Equal(seen.Order(), seen);
        Assert.Equal([1000L, 1001L], seen.TakeLast(2));
        Assert.Equal(1, a.Metrics.Connected.Value("dc-1"));
        Assert.Contains(a.Log.Lines, l => l.EventId == 16003);
    }

    [Fact]
    public async Task A_peer_that_comes_back_and_calls_is_redialled_at_once_instead_of_after_the_backoff()
    {
        // a waits 20 s between attempts: only the wake-up can reach the returning peer sooner.
        var slow = TimeSpan.FromSeconds(20);
        await using var a = await PeerHost.StartAsync("dc-0", _directory, configure: o => o with { InitialBackoff = slow, MaxBackoff = slow });
        var b = await PeerHost.StartAsync("dc-1", _directory);
        var port = b.Address.Port;
        var before = new Received(b.Transport.Inbound);
        a.Send("dc-1", new Heartbeat(0, 1, 0));
        await Eventually.UntilAsync(() => before.Count == 1, Deadline, "the first message arrives");

        await b.StopAsync();
        a.Send("dc-1", new Heartbeat(0, 1, 1));
        await Eventually.UntilAsync(() => a.Metrics.StreamFailures.Value("dc-1") >= 1, Deadline, "the sender's stream fails and it backs off");

        await using var back = await PeerHost.StartAsync("dc-1", _directory, port);
        var after = new Received(back.Transport.Inbound);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        back.Send("dc-0", new Heartbeat(0, 1, 0));
        a.Send("dc-1", new Heartbeat(0, 1, 2));

        await Eventually.UntilAsync(() => after.Heartbeats("dc-0", 0).Contains(2), slow / 2, "the message reaches the returning peer before the backoff would have ended");
        Assert.True(clock.Elapsed < slow, $"arrived after {clock.Elapsed}");
    }

    [Fact]
    public async Task A_full_queue_drops_its_oldest_messages_and_counts_them_without_blocking_the_caller()
    {
        await using var a = await PeerHost.StartAsync("dc-0", _directory, configure: o => o with { QueueCapacity = 8, MaxMessageAge = TimeSpan.FromMinutes(5) });

        // dc-1 has no address yet, so everything for it stays queued.
        var sending = Task.Run(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                a.Send("dc-1", new Heartbeat(0, 1, i));
            }
        }, Ct);
        await sending.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(92, a.Metrics.ItemsDropped.Value("dc-1", DropReasons.QueueFull));
        a.Metrics.Collect();
        Assert.Equal(8, a.Metrics.QueueDepth.Value("dc-1"));

        await using var b = await PeerHost.StartAsync("dc-1", _directory);
        var atB = new Received(b.Transport.Inbound);
        await Eventually.UntilAsync(() => atB.Count == 8, Deadline, "the eight newest messages arrive", () => atB.ToString());
        Assert.Equal(Enumerable.Range(92, 8).Select(i => (long)i), atB.Heartbeats("dc-0", 0));
    }

    [Fact]
    public async Task A_stalled_peer_holds_up_neither_the_caller_nor_the_other_peers()
    {
        await using var a = await PeerHost.StartAsync("dc-0", _directory, configure: o => o with { QueueCapacity = 256, MaxBatchBytes = 64 << 10 });
        // dc-1's replication loop never reads: after one batch its inbound queue is full.
        await using var stalled = await PeerHost.StartAsync("dc-1", _directory, configure: o => o with { InboundCapacity = 1 });
        await using var healthy = await PeerHost.StartAsync("dc-2", _directory);
        var atHealthy = new Received(healthy.Transport.Inbound);
        var body = new byte[256 << 10];
        const int Rounds = 400;

        // The healthy peer's stream is up before the load starts: what this test measures is the
        // stalled peer's effect on it, not how long a first connection takes on a busy machine
        // (meanwhile its queue of 256 would drop the oldest of the 400 heartbeats).
        a.Send("dc-2", new Heartbeat(1, 1, 0));
        await Eventually.UntilAsync(() => atHealthy.Count == 1, Deadline, "the healthy peer's stream is up", () => atHealthy.ToString());

        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < Rounds; i++)
            {
                a.Send("dc-1", new Append(0, 1, i - 1, 1, [new LogRecord(i, 1, RecordKind.Data, 0, ReadOnlyMemory<byte>.Empty, null, body)], 0));
                a.Send("dc-2", new Heartbeat(0, 1, i));
                if (i % 16 == 15)
                {
                    await Task.Delay(2, Ct);
                }
            }
        }, Ct);

        await sending.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await Eventually.UntilAsync(() => atHealthy.Count == Rounds + 1, Deadline, "every message to the healthy peer arrives",
            () => $"{atHealthy}; dropped for dc-2: {Drops(a, "dc-2")}");
        Assert.Equal(Enumerable.Range(0, Rounds).Select(i => (long)i), atHealthy.Heartbeats("dc-0", 0));
        // 400 x 256 KiB is far more than the queue (256) plus what the kernel's socket buffers
        // take in for a stream nobody reads (a few megabytes).
        Assert.True(a.Metrics.ItemsDropped.Value("dc-1", DropReasons.QueueFull) > 0, "the stalled peer's queue dropped messages");
        Assert.True(stalled.Metrics.ItemsReceived.Value("dc-0") < Rounds / 2, $"the stalled peer took {stalled.Metrics.ItemsReceived.Value("dc-0")} messages");
    }

    [Fact]
    public async Task A_stream_meant_for_another_member_is_refused()
    {
        await using var a = await PeerHost.StartAsync("dc-0", _directory);
        await using var c = await PeerHost.StartAsync("dc-2", _directory);
        var atC = new Received(c.Transport.Inbound);
        // dc-1's old address now belongs to dc-2, as after a pod IP is reused.
        _directory.Set("dc-1", c.Address);

        a.Send("dc-1", new Heartbeat(0, 1, 1));

        await Eventually.UntilAsync(
            () => c.Metrics.Rejected.Value(RejectReasons.WrongMember) >= 1 && a.Metrics.StreamFailures.Value("dc-1") >= 1,
            Deadline,
            "dc-2 refuses the stream and dc-0 counts the failure");
        Assert.Equal(0, atC.Count);
        Assert.Contains(a.Log.Lines, l => l.EventId == 16001 && l.Message.Contains("421", StringComparison.Ordinal));
        Assert.Contains(c.Log.Lines, l => l.EventId == 16009);
    }

    [Fact]
    public async Task A_peer_that_moves_to_another_address_is_followed_before_the_next_batch()
    {
        await using var a = await PeerHost.StartAsync("dc-0", _directory);
        await using var oldPod = await PeerHost.StartAsync("dc-1", _directory);
        var atOld = new Received(oldPod.Transport.Inbound);
        a.Send("dc-1", new Heartbeat(0, 1, 1));
        await Eventually.UntilAsync(() => atOld.Count == 1, Deadline, "the first message reaches the old pod");

        // The member restarts in a new pod (the old one still runs); the ring now lists the new address.
        await using var newPod = await PeerHost.StartAsync("dc-1", _directory);
        var atNew = new Received(newPod.Transport.Inbound);
        a.Send("dc-1", new Heartbeat(0, 1, 2));

        await Eventually.UntilAsync(() => atNew.Count == 1, Deadline, "the next message reaches the new pod");
        Assert.Equal([2L], atNew.Heartbeats("dc-0", 0));
        Assert.Equal([1L], atOld.Heartbeats("dc-0", 0));
        Assert.Contains(a.Log.Lines, l => l.EventId == 16005);
    }
}
