using DataCluster.Kube.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataCluster.Kube.Controllers;

/// <summary>
/// Runs an <see cref="IReconciler"/> over a de-duplicating, rate-limited work queue fed by event
/// sources (see <c>Controller.Sources.cs</c>): the primary kind's own changes, changes of objects
/// it owns (mapped through their controller owner reference) and changes of anything else through
/// a mapping function.
/// </summary>
/// <remarks>
/// <para>
/// Level-based: a request names an object, never a change; many events for one object before a
/// worker takes it collapse into one reconcile, and an object is never reconciled by two workers
/// at once (<see cref="WorkQueue{T}"/>).
/// </para>
/// <para>
/// A reconcile that throws is logged and retried with per-object exponential backoff; one that
/// returns resets the backoff and, when it asks, is queued again after its delay. Failures of one
/// object never stop the controller or delay other objects beyond the worker they occupy.
/// </para>
/// <para>
/// Register sources before <see cref="RunAsync"/> and before the sources run, so no event is
/// missed. <see cref="Enqueue"/>, <see cref="QueueDepth"/> and <see cref="ReconcileCount"/> are
/// thread-safe.
/// </para>
/// </remarks>
public sealed partial class Controller : IDisposable
{
    private readonly IReconciler _reconciler;
    private readonly ControllerOptions _options;
    private readonly ILogger _logger;
    private readonly WorkQueue<ReconcileRequest> _queue;
    private readonly List<Func<CancellationToken, Task>> _syncs = [];
    private long _reconciles;
    private int _running;

    public Controller(string name, IReconciler reconciler, ControllerOptions? options = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        _reconciler = reconciler ?? throw new ArgumentNullException(nameof(reconciler));
        _options = options ?? new ControllerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Workers, 1, nameof(options));
        _logger = logger ?? NullLogger.Instance;
        _queue = new WorkQueue<ReconcileRequest>(_options.TimeProvider, new ItemBackoff<ReconcileRequest>(_options.BackoffBase, _options.BackoffMax));
    }

    /// <summary>The controller's name, used in logs and metrics.</summary>
    public string Name { get; }

    /// <summary>Requests waiting to be taken (not counting delayed or in-progress ones).</summary>
    public int QueueDepth => _queue.Count;

    /// <summary>Reconciles finished since the controller started, whatever their outcome.</summary>
    public long ReconcileCount => Interlocked.Read(ref _reconciles);

    /// <summary>True once the caches synced and the workers started, until the controller stops.</summary>
    public bool IsRunning => Volatile.Read(ref _running) == 1;

    /// <summary>Queues a reconcile of <paramref name="request"/> (collapsing with one already queued).</summary>
    public void Enqueue(ReconcileRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _queue.Add(request);
        ReportDepth();
    }

    /// <summary>
    /// Waits for every registered source to sync, then reconciles with
    /// <see cref="ControllerOptions.Workers"/> workers until <paramref name="cancellationToken"/>
    /// is cancelled; returns once every worker has finished its current reconcile. Call once.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _logger.WaitingForSync(Name);
        try
        {
            await Task.WhenAll(_syncs.Select(wait => wait(cancellationToken))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _queue.ShutDown();
            return;
        }

        _logger.Started(Name, _options.Workers);
        Volatile.Write(ref _running, 1);
        var workers = Enumerable.Range(0, _options.Workers).Select(_ => Task.Run(() => WorkAsync(cancellationToken), CancellationToken.None)).ToArray();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _queue.ShutDown();
        await Task.WhenAll(workers).ConfigureAwait(false);
        Volatile.Write(ref _running, 0);
        _logger.Stopped(Name);
    }

    public void Dispose() => _queue.Dispose();

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReconcileRequest request;
            try
            {
                var (ok, item) = await _queue.TakeAsync(CancellationToken.None).ConfigureAwait(false);
                if (!ok)
                {
                    return;
                }

                request = item;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            ReportDepth();
            try
            {
                await ProcessAsync(request, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _queue.Done(request);
            }
        }
    }

    private async Task ProcessAsync(ReconcileRequest request, CancellationToken cancellationToken)
    {
        using var scope = _logger.BeginScope(new ReconcileScope(Name, request));
        var started = _options.TimeProvider.GetTimestamp();
        ReconcileOutcome outcome;
        Exception? error = null;
        try
        {
            var result = await _reconciler.ReconcileAsync(request, cancellationToken).ConfigureAwait(false);
            var elapsed = _options.TimeProvider.GetElapsedTime(started);
            _queue.Forget(request);
            if (result.RequeueAfter is { } delay && !cancellationToken.IsCancellationRequested)
            {
                _queue.AddAfter(request, delay < TimeSpan.Zero ? TimeSpan.Zero : delay);
                outcome = ReconcileOutcome.Requeue;
                _logger.Requeued(request, (long)elapsed.TotalMilliseconds, (long)delay.TotalMilliseconds);
            }
            else
            {
                outcome = ReconcileOutcome.Success;
                _logger.Reconciled(request, (long)elapsed.TotalMilliseconds);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return; // stopping: not a failure, and nobody will take the retry
        }
        catch (Exception e)
        {
            error = e;
            outcome = ReconcileOutcome.Error;
            var retry = _queue.AddRateLimited(request);
            if (e is ConflictException)
            {
                // A write raced with another writer or with our own cache: expected now and then,
                // and the retry reads the newer version.
                _logger.ReconcileConflict(request, e.Message, (long)retry.TotalMilliseconds);
            }
            else
            {
                _logger.ReconcileFailed(e, request, _queue.Failures(request), (long)retry.TotalMilliseconds);
            }
        }

        Interlocked.Increment(ref _reconciles);
        Observe(request, outcome, _options.TimeProvider.GetElapsedTime(started), error);
    }

    private void Observe(ReconcileRequest request, ReconcileOutcome outcome, TimeSpan duration, Exception? error)
    {
        try
        {
            _options.Observer?.OnReconciled(Name, request, outcome, duration, error);
        }
        catch (Exception e)
        {
            _logger.ObserverFailed(e, Name);
        }
    }

    private void ReportDepth()
    {
        try
        {
            _options.Observer?.OnQueueDepth(Name, _queue.Count);
        }
        catch (Exception e)
        {
            _logger.ObserverFailed(e, Name);
        }
    }

    /// <summary>The logging scope of one reconcile: structured (JSON logs get controller, namespace and name) and readable as text.</summary>
    private sealed class ReconcileScope(string controller, ReconcileRequest request) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly KeyValuePair<string, object?>[] _values =
        [
            new("Controller", controller),
            new("Namespace", request.Namespace),
            new("Name", request.Name),
        ];

        public int Count => _values.Length;

        public KeyValuePair<string, object?> this[int index] => _values[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_values).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"{controller} {request}";
    }

    private static string KeyOf(Models.IKubernetesObject obj) =>
        string.IsNullOrEmpty(obj.Metadata.Namespace) ? obj.Metadata.Name ?? "" : $"{obj.Metadata.Namespace}/{obj.Metadata.Name}";
}
