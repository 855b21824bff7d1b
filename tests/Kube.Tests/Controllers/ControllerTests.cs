using System.Collections.Concurrent;
using DataCluster.Kube.Controllers;
using DataCluster.Kube.Informers;
using DataCluster.Kube.Models;
using DataCluster.Kube.Tests.Support;
using DataCluster.Testing;
using DataCluster.Testing.Logging;
using DataCluster.Testing.Time;

namespace DataCluster.Kube.Tests.Controllers;

public sealed class ControllerTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An event source driven by the test: it calls the handlers as an informer would.</summary>
    private sealed class ManualSource<T> : IEventSource<T>
        where T : class, IKubernetesObject
    {
        private readonly List<IInformerHandler<T>> _handlers = [];
        private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Description => typeof(T).Name;

        public void AddHandler(IInformerHandler<T> handler) => _handlers.Add(handler);

        public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

        public void Synced() => _synced.TrySetResult();

        public void Add(T obj) => _handlers.ForEach(h => h.OnAdd(obj));

        public void Update(T old, T updated) => _handlers.ForEach(h => h.OnUpdate(old, updated));

        public void Delete(T obj) => _handlers.ForEach(h => h.OnDelete(obj));
    }

    /// <summary>Records every reconcile; <c>Behaviour</c> decides each outcome.</summary>
    private sealed class RecordingReconciler : IReconciler
    {
        private readonly ConcurrentDictionary<ReconcileRequest, int> _active = new();

        public ConcurrentQueue<ReconcileRequest> Calls { get; } = new();

        public Func<ReconcileRequest, int, Task<ReconcileResult>> Behaviour { get; set; } = (_, _) => Task.FromResult(ReconcileResult.Done);

        public int MaxConcurrentPerObject;

        public int Count(string name) => Calls.Count(c => c.Name == name);

        public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken cancellationToken)
        {
            var concurrent = _active.AddOrUpdate(request, 1, (_, n) => n + 1);
            InterlockedMax(ref MaxConcurrentPerObject, concurrent);
            try
            {
                Calls.Enqueue(request);
                return await Behaviour(request, Calls.Count(c => c == request));
            }
            finally
            {
                _active.AddOrUpdate(request, 0, (_, n) => n - 1);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int current;
            while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
            {
            }
        }
    }

    private sealed class RecordingObserver : IControllerObserver
    {
        public ConcurrentQueue<(ReconcileRequest Request, ReconcileOutcome Outcome)> Outcomes { get; } = new();

        public void OnReconciled(string controller, ReconcileRequest request, ReconcileOutcome outcome, TimeSpan duration, Exception? error) =>
            Outcomes.Enqueue((request, outcome));

        public void OnQueueDepth(string controller, int depth)
        {
        }
    }

    private static ConfigMap Map(string name, string ns = "ns", OwnerReference? owner = null, Dictionary<string, string>? labels = null) =>
        new() { Metadata = new ObjectMeta { Namespace = ns, Name = name, OwnerReferences = owner is null ? null : [owner], Labels = labels } };

    private static OwnerReference Owner(string name, string apiVersion = "datacluster.dev/v1alpha1", string kind = "DataCluster", bool controller = true) =>
        new() { ApiVersion = apiVersion, Kind = kind, Name = name, Uid = $"uid-{name}", Controller = controller };

    private static async Task<(Controller Controller, Task Running, CancellationTokenSource Stop)> StartAsync(IReconciler reconciler, Action<Controller> configure, ControllerOptions? options = null)
    {
        var controller = new Controller("test", reconciler, options ?? new ControllerOptions { BackoffBase = TimeSpan.FromMilliseconds(1), BackoffMax = TimeSpan.FromMilliseconds(20) }, new TestLogger("controller"));
        configure(controller);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = controller.RunAsync(stop.Token);
        await Task.Yield();
        return (controller, running, stop);
    }

    private static async Task StopAsync((Controller Controller, Task Running, CancellationTokenSource Stop) started)
    {
        await started.Stop.CancelAsync();
        await started.Running.WaitAsync(Hang, Ct);
        started.Controller.Dispose();
        started.Stop.Dispose();
    }

    [Fact]
    public async Task Nothing_is_reconciled_before_every_source_has_synced_and_events_meanwhile_collapse_into_one_reconcile()
    {
        var reconciler = new RecordingReconciler();
        var primary = new ManualSource<ConfigMap>();
        var other = new ManualSource<Pod>();
        var started = await StartAsync(reconciler, c => c.For(primary).Watches(other, _ => []));

        primary.Add(Map("a"));
        primary.Update(Map("a"), Map("a"));
        primary.Update(Map("a"), Map("a"));
        primary.Synced();
        await Task.Delay(100, Ct); // a negative check: give a premature worker the chance to run
        Assert.Empty(reconciler.Calls);
        Assert.False(started.Controller.IsRunning);

        other.Synced();
        await Eventually.UntilAsync(() => reconciler.Calls.Count == 1, Hang, "the object is reconciled");
        await Eventually.UntilAsync(() => started.Controller.QueueDepth == 0, Hang, "the queue is empty");
        Assert.Equal(new ReconcileRequest("ns", "a"), Assert.Single(reconciler.Calls));
        await StopAsync(started);
    }

    [Fact]
    public async Task An_owned_object_queues_its_controller_owner_of_the_primary_kind_and_nothing_else()
    {
        var reconciler = new RecordingReconciler();
        var owned = new ManualSource<ConfigMap>();
        owned.Synced();
        var started = await StartAsync(reconciler, c => c.Owns(owned, "datacluster.dev", "DataCluster"));

        owned.Add(Map("x-ring", owner: Owner("x")));
        owned.Add(Map("not-controller", owner: Owner("y", controller: false)));
        owned.Add(Map("other-kind", owner: Owner("z", kind: "StatefulSet", apiVersion: "apps/v1")));
        owned.Add(Map("other-group", owner: Owner("w", apiVersion: "example.com/v1")));
        owned.Add(Map("orphan"));
        owned.Delete(Map("x-peers", owner: Owner("x")));
        owned.Add(Map("v2", owner: Owner("v", apiVersion: "datacluster.dev/v2")));

        await Eventually.UntilAsync(() => reconciler.Calls.Count >= 2 && started.Controller.QueueDepth == 0, Hang, "the owners are reconciled");
        await Task.Delay(100, Ct); // a negative check: nothing else follows
        // As a set: the queue hands x and v to different workers, which may call in either order.
        Assert.Equal(["v", "x"], reconciler.Calls.Select(c => c.Name).Distinct().Order());
        Assert.All(reconciler.Calls, c => Assert.Equal("ns", c.Namespace));
        await StopAsync(started);
    }

    [Fact]
    public async Task A_mapped_source_queues_what_the_mapping_returns_for_old_and_new_and_the_filter_drops_irrelevant_updates()
    {
        var reconciler = new RecordingReconciler();
        var pods = new ManualSource<ConfigMap>();
        pods.Synced();
        static IEnumerable<ReconcileRequest> ByLabel(ConfigMap m) =>
            m.Metadata.Labels?.TryGetValue("cluster", out var c) == true ? [new ReconcileRequest(m.Metadata.Namespace!, c)] : [];
        var started = await StartAsync(reconciler, c => c.Watches(pods, ByLabel, (old, updated) => old.Metadata.Labels?["cluster"] != updated.Metadata.Labels?["cluster"]));

        pods.Update(Map("p", labels: new() { ["cluster"] = "a" }), Map("p", labels: new() { ["cluster"] = "a" }));
        pods.Update(Map("q", labels: new() { ["cluster"] = "b" }), Map("q", labels: new() { ["cluster"] = "c" }));

        await Eventually.UntilAsync(() => reconciler.Calls.Count == 2, Hang, "both clusters of the moved object are reconciled");
        Assert.Equal(["b", "c"], reconciler.Calls.Select(c => c.Name).Order());
        await StopAsync(started);
    }

    [Fact]
    public async Task A_failing_reconcile_is_retried_with_backoff_until_it_succeeds_and_other_objects_are_not_held_up()
    {
        var observer = new RecordingObserver();
        var reconciler = new RecordingReconciler
        {
            Behaviour = (request, attempt) => request.Name == "flaky" && attempt <= 3
                ? throw new InvalidOperationException($"attempt {attempt} fails")
                : Task.FromResult(ReconcileResult.Done),
        };
        var source = new ManualSource<ConfigMap>();
        source.Synced();
        var started = await StartAsync(reconciler, c => c.For(source), new ControllerOptions
        {
            BackoffBase = TimeSpan.FromMilliseconds(1),
            BackoffMax = TimeSpan.FromMilliseconds(20),
            Observer = observer,
        });

        source.Add(Map("flaky"));
        source.Add(Map("fine"));

        await Eventually.UntilAsync(() => reconciler.Count("flaky") == 4, Hang, "the failing object is retried until it succeeds");
        Assert.Equal(1, reconciler.Count("fine"));
        Assert.Equal(
            [ReconcileOutcome.Error, ReconcileOutcome.Error, ReconcileOutcome.Error, ReconcileOutcome.Success],
            observer.Outcomes.Where(o => o.Request.Name == "flaky").Select(o => o.Outcome));
        Assert.Equal(5, started.Controller.ReconcileCount);
        await StopAsync(started);
    }

    [Fact]
    public async Task A_requested_requeue_reconciles_the_object_again_after_the_delay_without_any_event()
    {
        var time = new CountingTimeProvider();
        var reconciler = new RecordingReconciler
        {
            Behaviour = (_, attempt) => Task.FromResult(attempt == 1 ? ReconcileResult.After(TimeSpan.FromSeconds(30)) : ReconcileResult.Done),
        };
        var source = new ManualSource<ConfigMap>();
        source.Synced();
        var started = await StartAsync(reconciler, c => c.For(source), new ControllerOptions { TimeProvider = time });

        source.Add(Map("timed"));
        // The requeue's timer, not only the call: moving the clock before the reconcile returned
        // would start the 30 s later.
        await Eventually.UntilAsync(() => reconciler.Calls.Count == 1 && time.TimersCreated == 1, Hang, "the first reconcile asks for a requeue");
        time.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(100, Ct); // a negative check: not before the delay
        Assert.Single(reconciler.Calls);

        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.UntilAsync(() => reconciler.Calls.Count == 2, Hang, "the requeued reconcile");
        await StopAsync(started);
    }

    [Fact]
    public async Task An_object_is_never_reconciled_by_two_workers_at_once()
    {
        var gate = new SemaphoreSlim(0);
        var reconciler = new RecordingReconciler
        {
            Behaviour = async (_, attempt) =>
            {
                if (attempt == 1)
                {
                    await gate.WaitAsync(Ct);
                }

                return ReconcileResult.Done;
            },
        };
        var source = new ManualSource<ConfigMap>();
        source.Synced();
        var started = await StartAsync(reconciler, c => c.For(source), new ControllerOptions { Workers = 4 });

        source.Add(Map("busy"));
        await Eventually.UntilAsync(() => reconciler.Calls.Count == 1, Hang, "the first reconcile is under way");
        source.Update(Map("busy"), Map("busy"));
        source.Update(Map("busy"), Map("busy"));
        await Task.Delay(100, Ct); // a negative check: the other three workers stay away from it
        Assert.Single(reconciler.Calls);

        gate.Release();
        await Eventually.UntilAsync(() => reconciler.Calls.Count == 2, Hang, "the object is reconciled once more after the first finished");
        Assert.Equal(1, reconciler.MaxConcurrentPerObject);
        await StopAsync(started);
    }

    [Fact]
    public async Task A_mapping_that_throws_is_logged_and_later_events_still_flow()
    {
        var reconciler = new RecordingReconciler();
        var source = new ManualSource<ConfigMap>();
        source.Synced();
        var started = await StartAsync(reconciler, c => c.Watches(source, m => m.Metadata.Name == "poison"
            ? throw new InvalidOperationException("bad mapping")
            : [Controller.RequestFor(m)]));

        source.Add(Map("poison"));
        source.Add(Map("ok"));

        await Eventually.UntilAsync(() => reconciler.Calls.Count == 1, Hang, "the later event is reconciled");
        Assert.Equal("ok", Assert.Single(reconciler.Calls).Name);
        await StopAsync(started);
    }

    [Fact]
    public void Workers_must_be_positive_and_default_to_two()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Controller("x", new RecordingReconciler(), new ControllerOptions { Workers = 0 }));
        Assert.Equal(2, new ControllerOptions().Workers);
    }
}
