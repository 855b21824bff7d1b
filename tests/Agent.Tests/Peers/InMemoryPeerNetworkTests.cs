using DataCluster.Agent.Peers;
using DataCluster.Replication;
using DataCluster.Replication.Messages;
using Xunit;

namespace DataCluster.Agent.Tests.Peers;

public sealed class InMemoryPeerNetworkTests
{
    [Fact]
    public void Messages_to_an_unreachable_absent_or_departed_member_are_dropped_and_counted()
    {
        var network = new InMemoryPeerNetwork();
        var a = network.Join("dc-0");
        var b = network.Join("dc-1");
        static OutgoingMessage To(string member, long commit) => new(member, new PeerMessage([new Heartbeat(0, 1, commit)]));

        a.Send(To("dc-1", 1));
        network.SetReachable("dc-1", false);
        a.Send(To("dc-1", 2));
        network.SetReachable("dc-1", true);
        a.Send(To("dc-1", 3));
        a.Send(To("dc-7", 4));
        network.Leave("dc-1");
        a.Send(To("dc-1", 5));

        var received = new List<long>();
        while (b.Inbound.TryRead(out var message))
        {
            Assert.Equal("dc-0", message.From);
            received.AddRange(message.Message.Items.Select(i => ((Heartbeat)i).CommitOffset));
        }

        Assert.Equal([1L, 3L], received);
        Assert.Equal(3, a.Dropped);
        Assert.True(b.Inbound.Completion.IsCompleted);
    }

    [Fact]
    public void A_full_inbound_queue_drops_its_oldest_message()
    {
        var network = new InMemoryPeerNetwork();
        var a = network.Join("dc-0");
        var b = network.Join("dc-1", inboundCapacity: 2);

        for (var i = 0; i < 5; i++)
        {
            a.Send(new OutgoingMessage("dc-1", new PeerMessage([new Heartbeat(0, 1, i)])));
        }

        Assert.True(b.Inbound.TryRead(out var first));
        Assert.True(b.Inbound.TryRead(out var second));
        Assert.Equal([3L, 4L], new[] { first, second }.Select(m => ((Heartbeat)m.Message.Items[0]).CommitOffset));
        Assert.Equal(3, b.Dropped);
    }
}
