using System.Text;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using Xunit;

namespace DataCluster.Operator.Tests;

public class SecretAndLeaseBuilderTests
{
    [Fact]
    public void New_peer_token_is_32_random_bytes_in_base64url()
    {
        var first = SecretBuilder.NewToken();
        var second = SecretBuilder.NewToken();

        Assert.Equal(43, first.Length);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", first);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Peer_token_secret_uses_the_new_token_when_none_exists()
    {
        var secret = SecretBuilder.PeerToken(Defaults.Apply(TestClusters.Create()), existing: null, newToken: "fresh-token");

        Assert.Equal("Opaque", secret.Type);
        Assert.Equal("fresh-token", Encoding.ASCII.GetString(secret.Data!["token"]));
    }

    [Fact]
    public void Peer_token_secret_keeps_the_existing_token_byte_for_byte()
    {
        var existing = new Secret { Data = new() { ["token"] = [1, 2, 3, 250] } };

        var secret = SecretBuilder.PeerToken(Defaults.Apply(TestClusters.Create()), existing, newToken: "fresh-token");

        Assert.Equal([1, 2, 3, 250], secret.Data!["token"]);
        Assert.NotSame(existing.Data["token"], secret.Data["token"]);
    }

    [Fact]
    public void Peer_token_secret_replaces_an_empty_token()
    {
        var existing = new Secret { Data = new() { ["token"] = [] } };

        var secret = SecretBuilder.PeerToken(Defaults.Apply(TestClusters.Create()), existing, newToken: "fresh-token");

        Assert.Equal("fresh-token", Encoding.ASCII.GetString(secret.Data!["token"]));
    }

    [Fact]
    public void Member_and_leader_leases_start_without_holder_with_the_clusters_lease_duration()
    {
        var cluster = TestClusters.Create(spec => spec.Agent.LeaseDurationSeconds = 9);

        var leases = LeaseBuilder.MemberLeases(Defaults.Apply(cluster), 3).Append(LeaseBuilder.LeaderLease(Defaults.Apply(cluster))).ToList();

        Assert.Equal(["demo-member-0", "demo-member-1", "demo-member-2", "demo-leader"], leases.Select(l => l.Metadata.Name));
        Assert.All(leases, lease =>
        {
            Assert.Null(lease.Spec.HolderIdentity);
            Assert.Null(lease.Spec.RenewTime);
            Assert.Null(lease.Spec.AcquireTime);
            Assert.Equal(9, lease.Spec.LeaseDurationSeconds);
        });
    }

    [Theory]
    [InlineData(3, null, 3)]
    [InlineData(3, 5, 5)]
    [InlineData(5, 3, 5)]
    public void Member_leases_cover_spec_replicas_and_members_still_running(int specReplicas, int? statefulSetReplicas, int expected)
    {
        var cluster = TestClusters.Create(spec => spec.Replicas = specReplicas);

        Assert.Equal(expected, LeaseBuilder.MemberCount(Defaults.Apply(cluster), statefulSetReplicas));
    }
}
