using DataCluster.Kube.Informers;
using DataCluster.Kube.Models;
using DataCluster.Kube.Tests.Support;
using DataCluster.Testing;
using DataCluster.Testing.Logging;
using static DataCluster.Kube.Tests.Integration.Api;

namespace DataCluster.Kube.Tests.Integration;

[Collection(DisruptiveCollection.Name)]
public sealed class InformerRecoveryTests(ControlPlaneFixture fixture)
{
    // Short backoff so recovery is quick once the server is back; the defaults would wait up
    // to 30 s between attempts.
    private static InformerOptions Options(string ns, int maxWatchFailures = 5) => new()
    {
        Namespace = ns,
        BackoffInitial = TimeSpan.FromMilliseconds(100),
        BackoffMax = TimeSpan.FromSeconds(1),
        MaxWatchFailuresBeforeRelist = maxWatchFailures,
    };

    [Fact]
    public async Task After_compaction_a_stale_watch_gets_Gone_and_the_informer_relists_and_converges()
    {
        var ns = await fixture.CreateNamespaceAsync("relist");
        using var admin = Admin(fixture);
        var client = new InterruptibleClient(admin);
        var type = KubeResources.Events;
        foreach (var name in new[] { "keep", "change", "remove" })
        {
            await admin.CreateAsync(type, CompactionTests.NewEvent(ns, name, "original"), Ct);
        }

        var logger = new TestLogger("informer");

        // Never give up on the watch: this test wants the relist to come from the 410.
        var informer = new Informer<Event>(client, type, Options(ns, maxWatchFailures: 1000), logger);
        var view = new HandlerView<Event>();
        informer.AddHandler(view);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // The informer's watch goes down; meanwhile everything changes and etcd compacts the
        // history it would need to catch up.
        client.CutWatches();
        var change = (await admin.GetAsync(type, ns, "change", Ct))!;
        change.Message = "changed";
        await admin.UpdateAsync(type, change, Ct);
        await admin.DeleteAsync(type, ns, "remove", cancellationToken: Ct);
        await admin.CreateAsync(type, CompactionTests.NewEvent(ns, "new", "created while disconnected"), Ct);
        await fixture.CompactEtcdAsync();
        client.Restore();

        await Eventually.UntilAsync(() => InformerTests.ConvergedAsync(admin, type, ns, informer, view), TimeSpan.FromSeconds(60), "the informer converged after relisting");
        Assert.True(logger.Logged(2004), "the resumed watch should have been answered with 410 Gone");
        Assert.Equal(2, informer.ListCount);
        Assert.Equal(4, view.Adds);    // three from the first list, "new" from the relist
        Assert.Equal(1, view.Updates); // "change"
        Assert.Equal(1, view.Deletes); // "remove"
        Assert.Equal("changed", informer.Get(ns, "change")!.Message);

        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public async Task The_informer_converges_again_after_the_API_server_restarts_mid_watch()
    {
        var ns = await fixture.CreateNamespaceAsync("restart");
        using var client = Admin(fixture);
        var type = KubeResources.ConfigMaps;
        foreach (var name in new[] { "keep", "change", "remove" })
        {
            await client.CreateAsync(type, new ConfigMap { Metadata = new ObjectMeta { Namespace = ns, Name = name } }, Ct);
        }

        var informer = new Informer<ConfigMap>(client, type, Options(ns), TestLogger.For("informer"));
        var view = new HandlerView<ConfigMap>();
        informer.AddHandler(view);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        await fixture.RestartApiServerAsync();

        var change = (await client.GetAsync(type, ns, "change", Ct))!;
        change.Data = new() { ["after"] = "restart" };
        await client.UpdateAsync(type, change, Ct);
        await client.DeleteAsync(type, ns, "remove", cancellationToken: Ct);
        await client.CreateAsync(type, new ConfigMap { Metadata = new ObjectMeta { Namespace = ns, Name = "new" } }, Ct);

        await Eventually.UntilAsync(() => InformerTests.ConvergedAsync(client, type, ns, informer, view), TimeSpan.FromSeconds(90), "the informer converged after the restart");
        Assert.Equal("restart", informer.Get(ns, "change")!.Data!["after"]);
        Assert.Null(informer.Get(ns, "remove"));

        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }
}
