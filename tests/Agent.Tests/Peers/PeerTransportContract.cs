using System.Text;
using DataCluster.Agent.Peers;
using DataCluster.Replication;
using DataCluster.Replication.Messages;
using DataCluster.Storage;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.Agent.Tests.Peers;

/// <summary>
/// What every <see cref="IPeerTransport"/> must do, run against each implementation: messages
/// arrive with their sender, in the order each destination was sent them, both ways at once,
/// under concurrent callers.
/// </summary>
public abstract class PeerTransportContract : IAsyncLifetime
{
    /// <summary>Senders per member: concurrent callers, as the replication loop and the client API's proposals may be.</summary>
    private const int Threads = 4;

    private const int PerThread = 300;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    protected IPeerTransport A { get; private set; } = null!;

    protected IPeerTransport B { get; private set; } = null!;

    /// <summary>Two members, "dc-0" (A) and "dc-1" (B), that can reach each other, with queues that hold everything these tests send.</summary>
    protected abstract Task<(IPeerTransport A, IPeerTransport B)> CreatePairAsync();

    public async ValueTask InitializeAsync() => (A, B) = await CreatePairAsync();

    public abstract ValueTask DisposeAsync();

    [Fact]
    public async Task Both_members_receive_every_message_in_send_order_per_sender_under_concurrent_callers()
    {
        var atA = new Received(A.Inbound);
        var atB = new Received(B.Inbound);

        // Each thread numbers its own heartbeats (partition = thread); the records ride along to
        // give the batches some weight.
        var payload = new LogRecord(0, 1, RecordKind.Data, 1, Encoding.UTF8.GetBytes("k"), null, new byte[512]);
        var sending = Enumerable.Range(0, Threads).SelectMany(thread => new[]
        {
            Task.Run(() => SendNumbered(A, "dc-1", thread, payload)),
            Task.Run(() => SendNumbered(B, "dc-0", thread, payload)),
        });
        await Task.WhenAll(sending);

        await Eventually.UntilAsync(() => atA.Count == Threads * PerThread * 2 && atB.Count == Threads * PerThread * 2, Deadline, "every message arrives", () => $"at dc-0 {atA}, at dc-1 {atB}");
        var expected = Enumerable.Range(0, PerThread).Select(i => (long)i).ToList();
        for (var thread = 0; thread < Threads; thread++)
        {
            Assert.Equal(expected, atB.Heartbeats("dc-0", thread));
            Assert.Equal(expected, atA.Heartbeats("dc-1", thread));
        }

        Assert.All(atB.Items, i => Assert.Equal("dc-0", i.From));
        Assert.All(atA.Items.Where(i => i.Item is Append), i => Assert.Equal(512, ((Append)i.Item).Records[0].Body.Length));
    }

    [Fact]
    public async Task A_message_with_many_items_arrives_whole_and_in_order_and_an_empty_one_sends_nothing()
    {
        var atB = new Received(B.Inbound);
        var items = Enumerable.Range(0, 2000).Select(i => (PartitionMessage)new Heartbeat(7, 1, i)).ToArray();

        A.Send(new OutgoingMessage("dc-1", new PeerMessage([])));
        A.Send(new OutgoingMessage("dc-1", new PeerMessage(items)));

        await Eventually.UntilAsync(() => atB.Count == items.Length, Deadline, "the message arrives", () => atB.ToString());
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => (long)i), atB.Heartbeats("dc-0", 7));
    }

    [Fact]
    public async Task Each_arrival_wakes_the_reader_once_the_message_can_be_read()
    {
        // The replication loop sleeps until this signal; one rung before the message is readable
        // would leave it asleep until its next tick.
        var signals = 0;
        var early = 0;
        B.ArrivalSignal = () =>
        {
            Interlocked.Increment(ref signals);
            if (!B.Inbound.TryPeek(out _))
            {
                Interlocked.Increment(ref early);
            }
        };
        for (var i = 0; i < 3; i++)
        {
            A.Send(new OutgoingMessage("dc-1", new PeerMessage([new Heartbeat(1, 1, i)])));
        }

        var arrived = 0;
        var read = 0;
        await Eventually.UntilAsync(
            () =>
            {
                // Read only what has been signalled, so every signal found its message still queued.
                while (read < Volatile.Read(ref signals) && B.Inbound.TryRead(out var message))
                {
                    read++;
                    arrived += message.Message.Items.Count;
                }

                return arrived == 3;
            },
            Deadline,
            "three heartbeats arrive",
            () => $"{arrived} arrived, {signals} signals");
        Assert.InRange(signals, 1, 3);
        Assert.Equal(0, early);
    }

    private static void SendNumbered(IPeerTransport from, string to, int thread, LogRecord payload)
    {
        for (var i = 0; i < PerThread; i++)
        {
            from.Send(new OutgoingMessage(to, new PeerMessage(
            [
                new Heartbeat(thread, 1, i),
                new Append(100 + thread, 1, i - 1, 1, [payload with { Offset = i }], 0),
            ])));
        }
    }
}

public sealed class StreamPeerTransportContractTests : PeerTransportContract
{
    private readonly PeerDirectory _directory = new();
    private PeerHost? _a;
    private PeerHost? _b;

    protected override async Task<(IPeerTransport A, IPeerTransport B)> CreatePairAsync()
    {
        // Small batches, so that the messages are both merged and split on their way.
        static PeerTransportOptions Configure(PeerTransportOptions o) => o with { QueueCapacity = 100_000, MaxMessageAge = TimeSpan.FromMinutes(5), MaxBatchBytes = 16 << 10 };
        _a = await PeerHost.StartAsync("dc-0", _directory, configure: Configure);
        _b = await PeerHost.StartAsync("dc-1", _directory, configure: Configure);
        return (_a.Transport, _b.Transport);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_a is not null)
        {
            await _a.DisposeAsync();
        }

        if (_b is not null)
        {
            await _b.DisposeAsync();
        }
    }
}

public sealed class InMemoryPeerTransportContractTests : PeerTransportContract
{
    protected override Task<(IPeerTransport A, IPeerTransport B)> CreatePairAsync()
    {
        var network = new InMemoryPeerNetwork();
        return Task.FromResult<(IPeerTransport, IPeerTransport)>((network.Join("dc-0", 100_000), network.Join("dc-1", 100_000)));
    }

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
