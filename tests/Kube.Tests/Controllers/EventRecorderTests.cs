using System.Text.Json.Nodes;
using DataCluster.Kube.Client;
using DataCluster.Kube.Controllers;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.Testing.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace DataCluster.Kube.Tests.Controllers;

public sealed class EventRecorderTests
{
    private static readonly DateTimeOffset T0 = new(2025, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly ObjectReference Cluster = new() { ApiVersion = "datacluster.dev/v1alpha1", Kind = "DataCluster", Namespace = "shop", Name = "orders", Uid = "uid-1" };

    /// <summary>The Events API of one namespace, in memory: create, list by field selector, merge patch.</summary>
    private sealed class EventsApi : UnsupportedKubeClient
    {
        public List<Event> Stored { get; } = [];

        public int Writes { get; private set; }

        public bool Fail { get; set; }

        public override Task<T> CreateAsync<T>(ResourceType<T> type, T obj, CancellationToken cancellationToken = default)
        {
            Writes++;
            if (Fail)
            {
                throw new KubeApiException(System.Net.HttpStatusCode.InternalServerError, "boom");
            }

            Stored.Add((Event)(object)obj);
            return Task.FromResult(obj);
        }

        public override Task<KubeList<T>> ListAsync<T>(ResourceType<T> type, string? @namespace, ListOptions? options = null, CancellationToken cancellationToken = default)
        {
            var fields = (options?.FieldSelector ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
            var items = Stored.Where(e => e.Metadata.Namespace == @namespace
                && (!fields.TryGetValue("involvedObject.uid", out var uid) || e.InvolvedObject.Uid == uid)
                && (!fields.TryGetValue("reason", out var reason) || e.Reason == reason)
                && (!fields.TryGetValue("type", out var kind) || e.Type == kind));
            return Task.FromResult((KubeList<T>)(object)new KubeList<Event> { Items = [.. items] });
        }

        public override Task<T> MergePatchAsync<T>(ResourceType<T> type, string? @namespace, string name, JsonNode patch, CancellationToken cancellationToken = default)
        {
            Writes++;
            var stored = Stored.SingleOrDefault(e => e.Metadata.Name == name) ?? throw new NotFoundException($"events \"{name}\" not found");
            stored.Count = patch["count"]!.GetValue<int>();
            stored.LastTimestamp = DateTimeOffset.Parse(patch["lastTimestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
            return Task.FromResult((T)(object)stored);
        }
    }

    private static (EventRecorder Recorder, EventsApi Api, FakeTimeProvider Time) Create(EventsApi? api = null)
    {
        var time = new FakeTimeProvider(T0);
        api ??= new EventsApi();
        return (new EventRecorder(api, new EventRecorderOptions { Component = "datacluster-operator", Instance = "operator-0", TimeProvider = time }), api, time);
    }

    [Fact]
    public async Task An_event_names_the_object_type_reason_message_and_reporter()
    {
        var (recorder, api, _) = Create();

        await recorder.RecordAsync(Cluster, EventTypes.Warning, "DrainStalled", "no progress", Ct);

        var stored = Assert.Single(api.Stored);
        Assert.Equal(("shop", "Warning", "DrainStalled", "no progress", 1), (stored.Metadata.Namespace, stored.Type, stored.Reason, stored.Message, stored.Count));
        Assert.Equal(("DataCluster", "orders", "uid-1"), (stored.InvolvedObject.Kind, stored.InvolvedObject.Name, stored.InvolvedObject.Uid));
        Assert.Equal(("datacluster-operator", "operator-0", "datacluster-operator"), (stored.Source?.Component, stored.ReportingInstance, stored.ReportingComponent));
        Assert.StartsWith("orders.", stored.Metadata.Name, StringComparison.Ordinal);
        Assert.Equal((T0, T0), (stored.FirstTimestamp, stored.LastTimestamp));
    }

    [Fact]
    public async Task A_repeat_within_the_window_raises_the_count_instead_of_creating_another_event()
    {
        var (recorder, api, time) = Create();
        await recorder.RecordAsync(Cluster, EventTypes.Warning, "NotReady", "2 of 3 ready", Ct);

        time.Advance(TimeSpan.FromMinutes(3));
        await recorder.RecordAsync(Cluster, EventTypes.Warning, "NotReady", "2 of 3 ready", Ct);
        await recorder.RecordAsync(Cluster, EventTypes.Warning, "NotReady", "1 of 3 ready", Ct);

        Assert.Equal(2, api.Stored.Count);
        var repeated = api.Stored.Single(e => e.Message == "2 of 3 ready");
        Assert.Equal((2, T0.AddMinutes(3)), (repeated.Count, repeated.LastTimestamp));
    }

    [Fact]
    public async Task A_repeat_after_the_window_is_a_new_event()
    {
        var (recorder, api, time) = Create();
        await recorder.RecordAsync(Cluster, EventTypes.Normal, "Ready", "all ready", Ct);

        time.Advance(TimeSpan.FromMinutes(11));
        await recorder.RecordAsync(Cluster, EventTypes.Normal, "Ready", "all ready", Ct);

        Assert.Equal([1, 1], api.Stored.Select(e => e.Count));
    }

    [Fact]
    public async Task Recording_once_writes_once_however_often_it_is_called_until_forgotten()
    {
        var (recorder, api, time) = Create();
        for (var i = 0; i < 5; i++)
        {
            await recorder.RecordOnceAsync(Cluster, EventTypes.Warning, "InvalidSpec", "lower the factor", Ct);
            time.Advance(TimeSpan.FromMinutes(30));
        }

        Assert.Equal(1, api.Writes);

        recorder.Forget("uid-1", "InvalidSpec");
        await recorder.RecordOnceAsync(Cluster, EventTypes.Warning, "InvalidSpec", "lower the factor", Ct);
        Assert.Equal(2, api.Writes);
    }

    [Fact]
    public async Task A_new_process_continues_the_events_an_earlier_one_left_on_the_server()
    {
        var api = new EventsApi();
        var (earlier, _, _) = Create(api);
        await earlier.RecordOnceAsync(Cluster, EventTypes.Warning, "InvalidSpec", "lower the factor", Ct);
        await earlier.RecordAsync(Cluster, EventTypes.Warning, "NotReady", "2 of 3 ready", Ct);
        var writes = api.Writes;

        var (restarted, _, _) = Create(api);
        await restarted.RecordOnceAsync(Cluster, EventTypes.Warning, "InvalidSpec", "lower the factor", Ct);
        await restarted.RecordAsync(Cluster, EventTypes.Warning, "NotReady", "2 of 3 ready", Ct);

        Assert.Equal(writes + 1, api.Writes);
        Assert.Equal(2, api.Stored.Count);
        Assert.Equal(2, api.Stored.Single(e => e.Reason == "NotReady").Count);
    }

    [Fact]
    public async Task Failures_to_record_are_swallowed_because_an_event_is_advice()
    {
        var (recorder, api, _) = Create(new EventsApi { Fail = true });

        await recorder.RecordAsync(Cluster, EventTypes.Normal, "Created", "created", Ct);
        api.Fail = false;
        await recorder.RecordOnceAsync(Cluster, EventTypes.Normal, "Created", "created", Ct);

        Assert.Single(api.Stored);
    }

    [Fact]
    public async Task Long_messages_are_cut_to_the_limit()
    {
        var (recorder, api, _) = Create();

        await recorder.RecordAsync(Cluster, EventTypes.Warning, "InvalidSpec", new string('x', 5000), Ct);

        Assert.Equal(1024, Assert.Single(api.Stored).Message!.Length);
    }
}
