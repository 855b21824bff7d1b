using System.Net;
using DataCluster.LocalCluster.LocalNode;
using Xunit;

namespace DataCluster.LocalCluster.Tests.LocalNode;

public sealed class LoopbackAddressPoolTests
{
    [Fact]
    public void Pods_get_consecutive_addresses_from_the_first_one()
    {
        var pool = new LoopbackAddressPool(IPAddress.Parse("127.0.0.10"), _ => true);

        Assert.Equal("127.0.0.10", pool.AddressFor("ns/a-0").ToString());
        Assert.Equal("127.0.0.11", pool.AddressFor("ns/a-1").ToString());
        Assert.Equal("127.0.0.12", pool.AddressFor("other/a-0").ToString());
    }

    [Fact]
    public void A_pod_name_keeps_its_address_when_the_pod_is_created_again()
    {
        var pool = new LoopbackAddressPool(IPAddress.Parse("127.0.0.10"), _ => true);
        var first = pool.AddressFor("ns/a-0");
        pool.AddressFor("ns/a-1");

        Assert.Equal(first, pool.AddressFor("ns/a-0"));
        Assert.Equal(first, pool.Find("ns/a-0"));
        Assert.Null(pool.Find("ns/a-9"));
    }

    [Fact]
    public void Addresses_in_use_elsewhere_and_dot_255_are_skipped()
    {
        var busy = new HashSet<string> { "127.0.0.254", "127.0.1.1" };
        var pool = new LoopbackAddressPool(IPAddress.Parse("127.0.0.253"), a => !busy.Contains(a.ToString()));

        string[] given = [.. Enumerable.Range(0, 3).Select(i => pool.AddressFor($"ns/p-{i}").ToString())];

        Assert.Equal(["127.0.0.253", "127.0.1.2", "127.0.1.3"], given);
    }

    [Fact]
    public void The_pool_ends_with_the_loopback_network_and_rejects_other_networks()
    {
        var pool = new LoopbackAddressPool(IPAddress.Parse("127.255.255.254"), _ => true);
        pool.AddressFor("ns/last");

        var full = Assert.Throws<InvalidOperationException>(() => pool.AddressFor("ns/one-more"));
        Assert.Contains("127.0.0.0/8", full.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new LoopbackAddressPool(IPAddress.Parse("10.0.0.1"), _ => true));
        Assert.Throws<ArgumentException>(() => new LoopbackAddressPool(IPAddress.IPv6Loopback, _ => true));
    }
}
