using DataCluster.Kube.Errors;
using DataCluster.Kube.Informers;
using DataCluster.Kube.Models;
using DataCluster.Kube.Tests.Support;
using DataCluster.Kube.Watch;
using DataCluster.Testing;
using static DataCluster.Kube.Tests.Support.ScriptedClient;

namespace DataCluster.Kube.Tests.Informers;

public sealed class InformerTests
{
    private static readonly InformerOptions Fast = new()
    {
        Namespace = "ns",
        BackoffInitial = TimeSpan.FromMilliseconds(1),
        BackoffMax = TimeSpan.FromMilliseconds(2),
        PageSize = 100,
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Recorder : IInformerHandler<ConfigMap>
    {
        public List<string> Log { get; } = [];

        public void OnAdd(ConfigMap obj) => Log.Add($"add {obj.Metadata.Name}@{obj.Metadata.ResourceVersion}");

        public void OnUpdate(ConfigMap oldObj, ConfigMap newObj) => Log.Add($"update {newObj.Metadata.Name}@{oldObj.Metadata.ResourceVersion}->{newObj.Metadata.ResourceVersion}");

        public void OnDelete(ConfigMap obj) => Log.Add($"delete {obj.Metadata.Name}@{obj.Metadata.ResourceVersion}");
    }

    private static async Task RunUntil(Informer<ConfigMap> informer, Func<bool> done)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = informer.RunAsync(stop.Token);
        await Eventually.UntilAsync(done, TimeSpan.FromSeconds(10), "the informer processed the script");
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(5), Ct);
    }

    [Fact]
    public async Task Watch_events_update_the_cache_and_reach_handlers_in_order()
    {
        var client = new ScriptedClient()
            .List("10", Cm("a", "1"), Cm("b", "2"))
            .Watch(Event(WatchEventType.Modified, "a", "11"), Event(WatchEventType.Bookmark, "", "12"), Event(WatchEventType.Deleted, "b", "13"), Event(WatchEventType.Added, "c", "14"));
        var informer = new Informer<ConfigMap>(client, KubeResources.ConfigMaps, Fast);
        var recorder = new Recorder();
        informer.AddHandler(recorder);

        await RunUntil(informer, () => recorder.Log.Count == 5);

        Assert.Equal(["add a@1", "add b@2", "update a@1->11", "delete b@13", "add c@14"], recorder.Log);
        Assert.Equal(["a", "c"], informer.List().Select(c => c.Metadata.Name).Order());
        Assert.Equal("14", informer.LastResourceVersion);
        Assert.Equal("10", client.WatchCalls.First().ResourceVersion);
        Assert.Equal(100, client.ListCalls.First().Limit);
    }

    [Fact]
    public async Task A_relist_after_Gone_reports_exactly_the_differences()
    {
        var client = new ScriptedClient()
            .List("10", Cm("a", "1"), Cm("b", "1"), Cm("c", "1"))
            .Watch(Event(WatchEventType.Modified, "a", "11"), new GoneException("too old resource version"))
            .List("20", Cm("a", "11"), Cm("b", "15"), Cm("d", "16"));
        var informer = new Informer<ConfigMap>(client, KubeResources.ConfigMaps, Fast);
        var recorder = new Recorder();
        informer.AddHandler(recorder);

        await RunUntil(informer, () => informer.ListCount == 2 && client.WatchCalls.Count == 2);

        Assert.Equal(["add a@1", "add b@1", "add c@1", "update a@1->11", "update b@1->15", "add d@16", "delete c@1"], recorder.Log);
        Assert.Equal("20", client.WatchCalls.Last().ResourceVersion);
        Assert.Equal(["a", "b", "d"], informer.List().Select(c => c.Metadata.Name).Order());
    }

    [Fact]
    public async Task Failed_lists_are_retried_and_watches_that_keep_failing_lead_to_a_relist()
    {
        var client = new ScriptedClient()
            .FailList(new HttpRequestException("refused"))
            .List("10", Cm("a", "1"))
            .Watch(new HttpRequestException("refused"))
            .Watch(new HttpRequestException("refused"))
            .List("20", Cm("a", "2"));
        var informer = new Informer<ConfigMap>(client, KubeResources.ConfigMaps, Fast with { MaxWatchFailuresBeforeRelist = 2 });
        var recorder = new Recorder();
        informer.AddHandler(recorder);

        await RunUntil(informer, () => informer.ListCount == 2);

        Assert.Equal(["add a@1", "update a@1->2"], recorder.Log);
        Assert.True(informer.HasSynced);
    }

    [Fact]
    public async Task Cache_reads_filter_by_namespace_and_label_selector()
    {
        var client = new ScriptedClient().List("10",
            Cm("a", "1", "one", new() { ["app"] = "web", ["tier"] = "front" }),
            Cm("b", "1", "one", new() { ["app"] = "db" }),
            Cm("a", "1", "two", new() { ["app"] = "web" }));
        var informer = new Informer<ConfigMap>(client, KubeResources.ConfigMaps, Fast with { Namespace = null });
        await RunUntil(informer, () => informer.HasSynced);

        Assert.Equal("one", informer.Get("one", "a")!.Metadata.Namespace);
        Assert.Null(informer.Get("three", "a"));
        Assert.Equal(3, informer.List().Count);
        Assert.Equal(2, informer.List("one").Count);
        Assert.Equal(2, informer.List(labelSelector: "app=web").Count);
        Assert.Single(informer.List("one", "app=web,tier"));
        Assert.Single(informer.List(labelSelector: "app notin (web)"));
    }

    [Fact]
    public async Task A_throwing_handler_does_not_stop_the_informer_or_the_other_handlers()
    {
        var client = new ScriptedClient().List("10", Cm("a", "1")).Watch(Event(WatchEventType.Added, "b", "11"));
        var informer = new Informer<ConfigMap>(client, KubeResources.ConfigMaps, Fast);
        informer.AddHandler(onAdd: _ => throw new InvalidOperationException("handler bug"));
        var recorder = new Recorder();
        informer.AddHandler(recorder);

        await RunUntil(informer, () => recorder.Log.Count == 2);
        Assert.Equal(["add a@1", "add b@11"], recorder.Log);
    }

    [Fact]
    public async Task Handlers_must_be_added_before_running()
    {
        var informer = new Informer<ConfigMap>(new ScriptedClient(), KubeResources.ConfigMaps, Fast);
        using var stop = new CancellationTokenSource();
        var running = informer.RunAsync(stop.Token);
        Assert.Throws<InvalidOperationException>(() => informer.AddHandler(onAdd: _ => { }));
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(5), Ct);
    }
}
