using DataCluster.Agent.Membership;
using DataCluster.Agent.Peers;
using Xunit;
using static DataCluster.Agent.Tests.Support.Objects;

namespace DataCluster.Agent.Tests.Peers;

public sealed class PeerAddressBookTests
{
    [Fact]
    public void Members_resolve_to_their_pod_address_on_the_shared_peer_port_and_follow_ring_changes()
    {
        var ring = new RingView(Cluster);
        var book = new PeerAddressBook(ring, 7070);
        Assert.Null(book.Resolve("dc-0"));

        ring.Update(RingSlice(1, [0, 1, 2], (ordinal, endpoint) =>
        {
            endpoint.Addresses = ordinal switch
            {
                1 => ["fd00::1:2"],
                2 => [],
                _ => endpoint.Addresses,
            };
        }));

        Assert.Equal(new Uri("http://10.0.0.10:7070"), book.Resolve("dc-0"));
        Assert.Equal(new Uri("http://[fd00::1:2]:7070"), book.Resolve("dc-1"));
        Assert.Null(book.Resolve("dc-2"));
        Assert.Null(book.Resolve("dc-3"));

        ring.Update(RingSlice(2, [0], (_, endpoint) => endpoint.Addresses = ["10.9.9.9"]));

        Assert.Equal(new Uri("http://10.9.9.9:7070"), book.Resolve("dc-0"));
        Assert.Null(book.Resolve("dc-1"));
    }
}
