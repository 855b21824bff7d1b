using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.Kube.Watch;
using DataCluster.Testing;
using static DataCluster.Kube.Tests.Integration.Api;

namespace DataCluster.Kube.Tests.Integration;

public sealed class WatchTests(ControlPlaneFixture fixture)
{
    [Fact]
    public async Task A_watch_sees_add_modify_and_delete_in_order()
    {
        var ns = await fixture.CreateNamespaceAsync("watch");
        using var client = Admin(fixture);
        var type = KubeResources.ConfigMaps;
        var start = (await client.ListAsync(type, ns, cancellationToken: Ct)).Metadata.ResourceVersion;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        stop.CancelAfter(TimeSpan.FromSeconds(60)); // only catches a hang
        var seen = new List<(WatchEventType, string?, string?)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in client.WatchAsync(type, ns, new WatchOptions { ResourceVersion = start }, stop.Token))
            {
                seen.Add((e.Type, e.Object.Metadata.Name, e.Object.Data?.GetValueOrDefault("k")));
                if (e.Type == WatchEventType.Deleted)
                {
                    return;
                }
            }
        }, Ct);

        var created = await client.CreateAsync(type, new ConfigMap { Metadata = new ObjectMeta { Namespace = ns, Name = "w" }, Data = new() { ["k"] = "1" } }, Ct);
        created.Data!["k"] = "2";
        await client.UpdateAsync(type, created, Ct);
        await client.DeleteAsync(type, ns, "w", cancellationToken: Ct);
        await watching;

        Assert.Equal(
            [(WatchEventType.Added, "w", "1"), (WatchEventType.Modified, "w", "2"), (WatchEventType.Deleted, "w", "2")],
            seen);
    }

    [Fact]
    public async Task A_resilient_watch_resumes_from_a_list_without_repeating_or_losing_events()
    {
        var ns = await fixture.CreateNamespaceAsync("watch");
        using var client = Admin(fixture);
        var type = KubeResources.ConfigMaps;
        await client.CreateAsync(type, new ConfigMap { Metadata = new ObjectMeta { Namespace = ns, Name = "before" } }, Ct);
        var start = (await client.ListAsync(type, ns, cancellationToken: Ct)).Metadata.ResourceVersion;

        var watcher = new ResourceWatcher<ConfigMap>(client, type, ns, new ResourceWatcherOptions { LabelSelector = "watched=yes" });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        stop.CancelAfter(TimeSpan.FromSeconds(60));
        var names = new List<string>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in watcher.WatchAsync(start, stop.Token))
            {
                if (e.Type == WatchEventType.Added)
                {
                    names.Add(e.Object.Metadata.Name!);
                    if (names.Count == 3)
                    {
                        return;
                    }
                }
            }
        }, Ct);

        for (var i = 0; i < 3; i++)
        {
            await client.CreateAsync(type, new ConfigMap { Metadata = new ObjectMeta { Namespace = ns, Name = $"a{i}", Labels = new() { ["watched"] = "yes" } } }, Ct);
            await client.CreateAsync(type, new ConfigMap { Metadata = new ObjectMeta { Namespace = ns, Name = $"b{i}" } }, Ct);
        }

        await watching;
        Assert.Equal(["a0", "a1", "a2"], names);
    }
}
