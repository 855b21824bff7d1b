using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.Kube.Tests.Support;
using DataCluster.Kube.Watch;
using static DataCluster.Kube.Tests.Support.ScriptedClient;

namespace DataCluster.Kube.Tests.Watch;

public sealed class ResourceWatcherTests
{
    private static readonly ResourceWatcherOptions Fast = new()
    {
        BackoffInitial = TimeSpan.FromMilliseconds(1),
        BackoffMax = TimeSpan.FromMilliseconds(2),
        LabelSelector = "app=x",
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<List<WatchEvent<ConfigMap>>> Take(ResourceWatcher<ConfigMap> watcher, string start, int count)
    {
        using var hang = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        hang.CancelAfter(TimeSpan.FromSeconds(10));
        var events = new List<WatchEvent<ConfigMap>>();
        await foreach (var e in watcher.WatchAsync(start, hang.Token))
        {
            events.Add(e);
            if (events.Count == count)
            {
                break;
            }
        }

        return events;
    }

    [Fact]
    public async Task Reconnects_resume_from_the_last_event_or_bookmark_so_nothing_repeats()
    {
        var client = new ScriptedClient()
            .Watch(Event(WatchEventType.Added, "a", "5"), Event(WatchEventType.Bookmark, "", "8"), new IOException("connection reset"))
            .Watch(Event(WatchEventType.Modified, "a", "9"))                 // closed by the server
            .Watch(new HttpRequestException("connection refused"))
            .Watch(Event(WatchEventType.Deleted, "a", "12"));
        var watcher = new ResourceWatcher<ConfigMap>(client, KubeResources.ConfigMaps, "ns", Fast);

        var events = await Take(watcher, "1", 4);

        Assert.Equal(["5", "8", "9", "12"], events.Select(e => e.ResourceVersion));
        Assert.Equal(["1", "8", "9", "9"], client.WatchCalls.Select(c => c.ResourceVersion));
        Assert.All(client.WatchCalls, c =>
        {
            Assert.Equal("app=x", c.LabelSelector);
            Assert.True(c.AllowBookmarks);
            Assert.InRange(c.TimeoutSeconds!.Value, 300, 600);
        });
    }

    [Fact]
    public async Task Gone_is_passed_to_the_caller_to_relist()
    {
        var client = new ScriptedClient().Watch(Event(WatchEventType.Added, "a", "5"), new GoneException("too old resource version"));
        var watcher = new ResourceWatcher<ConfigMap>(client, KubeResources.ConfigMaps, "ns", Fast);

        await Assert.ThrowsAsync<GoneException>(() => Take(watcher, "1", 10));
        Assert.Single(client.WatchCalls);
    }

    [Fact]
    public async Task After_too_many_failed_reconnects_the_last_error_is_rethrown()
    {
        var client = new ScriptedClient();
        for (var i = 0; i < 10; i++)
        {
            client.Watch(new HttpRequestException($"refused {i}"));
        }

        var watcher = new ResourceWatcher<ConfigMap>(client, KubeResources.ConfigMaps, "ns", Fast with { MaxConsecutiveFailures = 3 });

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => Take(watcher, "1", 1));
        Assert.Equal("refused 2", error.Message);
        Assert.Equal(3, client.WatchCalls.Count);
    }

    [Fact]
    public async Task A_delivered_event_resets_the_failure_count()
    {
        var client = new ScriptedClient()
            .Watch(new HttpRequestException("1"))
            .Watch(new HttpRequestException("2"))
            .Watch(Event(WatchEventType.Added, "a", "5"), new IOException("reset"))
            .Watch(new HttpRequestException("3"))
            .Watch(new HttpRequestException("4"))
            .Watch(Event(WatchEventType.Added, "b", "6"));
        var watcher = new ResourceWatcher<ConfigMap>(client, KubeResources.ConfigMaps, "ns", Fast with { MaxConsecutiveFailures = 3 });

        var events = await Take(watcher, "1", 2);
        Assert.Equal(["a", "b"], events.Select(e => e.Object.Metadata.Name));
    }
}
