using DataCluster.Kube.Client;
using DataCluster.Kube.Informers;
using DataCluster.Kube.Models;
using DataCluster.Kube.Tests.Support;
using DataCluster.Testing;
using DataCluster.Testing.Logging;
using static DataCluster.Kube.Tests.Integration.Api;

namespace DataCluster.Kube.Tests.Integration;

public sealed class InformerTests(ControlPlaneFixture fixture)
{
    internal static async Task<bool> ConvergedAsync<T>(IKubeClient client, ResourceType<T> type, string ns, Informer<T> informer, HandlerView<T> view)
        where T : class, IKubernetesObject
    {
        var server = (await client.ListAsync(type, ns, cancellationToken: Ct)).Items;
        var cached = informer.List(ns);
        return view.Matches(server)
            && cached.Count == server.Count
            && server.All(s => informer.Get(ns, s.Metadata.Name!)?.Metadata.ResourceVersion == s.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task An_informer_lists_then_follows_changes_and_serves_reads_from_its_cache()
    {
        var ns = await fixture.CreateNamespaceAsync("inf");
        using var client = Admin(fixture);
        var type = KubeResources.ConfigMaps;
        for (var i = 0; i < 7; i++)
        {
            await client.CreateAsync(type, new ConfigMap { Metadata = new ObjectMeta { Namespace = ns, Name = $"pre-{i}", Labels = new() { ["tier"] = i < 3 ? "a" : "b" } } }, Ct);
        }

        var informer = new Informer<ConfigMap>(client, type, new InformerOptions { Namespace = ns, PageSize = 3 }, TestLogger.For("informer"));
        var view = new HandlerView<ConfigMap>();
        informer.AddHandler(view);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.True(informer.HasSynced);
        Assert.Equal(7, view.Adds);
        Assert.Equal(3, informer.List(ns, "tier=a").Count);
        Assert.Equal(4, informer.List(labelSelector: "tier notin (a)").Count);

        var changed = (await client.GetAsync(type, ns, "pre-0", Ct))!;
        changed.Data = new() { ["x"] = "y" };
        await client.UpdateAsync(type, changed, Ct);
        await client.DeleteAsync(type, ns, "pre-1", cancellationToken: Ct);
        await client.CreateAsync(type, new ConfigMap { Metadata = new ObjectMeta { Namespace = ns, Name = "post" } }, Ct);

        await Eventually.UntilAsync(() => ConvergedAsync(client, type, ns, informer, view), TimeSpan.FromSeconds(30), "the informer reflects the changes");
        Assert.Equal("y", informer.Get(ns, "pre-0")!.Data!["x"]);
        Assert.Null(informer.Get(ns, "pre-1"));
        Assert.Equal(1, informer.ListCount);

        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }
}
