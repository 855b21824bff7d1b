using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.Kube.Watch;
using DataCluster.Testing;
using static DataCluster.Kube.Tests.Integration.Api;

namespace DataCluster.Kube.Tests.Integration;

/// <remarks>
/// These tests use Events: kube-apiserver serves watches of most kinds from its watch cache,
/// which keeps history independent of etcd, but it keeps no cache for Events, so their
/// watches read etcd directly and meet its compaction as a real cluster's long-lived
/// informers eventually do.
/// </remarks>
[Collection(DisruptiveCollection.Name)]
public sealed class CompactionTests(ControlPlaneFixture fixture)
{
    internal static Event NewEvent(string ns, string name, string message) => new()
    {
        Metadata = new ObjectMeta { Namespace = ns, Name = name },
        InvolvedObject = new ObjectReference { Kind = "ConfigMap", Namespace = ns, Name = "subject", ApiVersion = "v1" },
        Reason = "Testing",
        Message = message,
        Type = "Normal",
    };

    [Fact]
    public async Task A_watch_from_a_compacted_resourceVersion_raises_Gone()
    {
        var ns = await fixture.CreateNamespaceAsync("gone");
        using var client = Admin(fixture);
        var type = KubeResources.Events;
        var stale = (await client.ListAsync(type, ns, cancellationToken: Ct)).Metadata.ResourceVersion;
        var e = await client.CreateAsync(type, NewEvent(ns, "e", "1"), Ct);
        e.Message = "2";
        await client.UpdateAsync(type, e, Ct);
        await fixture.CompactEtcdAsync();

        using var hang = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        hang.CancelAfter(TimeSpan.FromSeconds(30));
        var error = await Assert.ThrowsAsync<GoneException>(async () =>
        {
            await foreach (var unused in client.WatchAsync(type, ns, new WatchOptions { ResourceVersion = stale }, hang.Token))
            {
            }
        });
        Assert.Equal(System.Net.HttpStatusCode.Gone, error.StatusCode);
        Assert.False(string.IsNullOrEmpty(error.Message));
    }
}
