namespace DataCluster.Kube.Controllers;

/// <summary>Settings of a <see cref="Controller"/>.</summary>
public sealed record ControllerOptions
{
    /// <summary>
    /// Two workers by default: a reconcile that waits on a slow or timing-out API call holds up
    /// only its own object while another worker keeps the rest of the queue moving, yet the API
    /// server sees at most two reconciles' worth of writes at once. The queue never hands one
    /// object to two workers, so more workers only add parallelism across objects.
    /// </summary>
    public const int DefaultWorkers = 2;

    /// <summary>Concurrent reconciles (of different objects); at least 1.</summary>
    public int Workers { get; init; } = DefaultWorkers;

    /// <summary>First retry delay of a failing object; doubles per consecutive failure.</summary>
    public TimeSpan BackoffBase { get; init; } = ItemBackoff<ReconcileRequest>.DefaultBase;

    /// <summary>Longest retry delay of a failing object.</summary>
    public TimeSpan BackoffMax { get; init; } = ItemBackoff<ReconcileRequest>.DefaultMax;

    /// <summary>Told about every reconcile (metrics); null for none.</summary>
    public IControllerObserver? Observer { get; init; }

    /// <summary>The clock for delayed requeues and durations.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>How a reconcile ended.</summary>
public enum ReconcileOutcome
{
    /// <summary>Converged; nothing scheduled.</summary>
    Success,

    /// <summary>Succeeded and asked to be looked at again after a delay.</summary>
    Requeue,

    /// <summary>Threw; retried with backoff.</summary>
    Error,
}

/// <summary>
/// Hooks for metrics. Called on the worker that ran the reconcile, right after it; must be quick
/// and must not throw. Implementations must be thread-safe (workers run concurrently).
/// </summary>
public interface IControllerObserver
{
    /// <summary>One reconcile ended.</summary>
    /// <param name="controller">The controller's name.</param>
    /// <param name="request">The object.</param>
    /// <param name="outcome">How it ended.</param>
    /// <param name="duration">How long the reconcile ran.</param>
    /// <param name="error">The exception for <see cref="ReconcileOutcome.Error"/>, else null.</param>
    void OnReconciled(string controller, ReconcileRequest request, ReconcileOutcome outcome, TimeSpan duration, Exception? error);

    /// <summary>The number of requests waiting to be taken changed (sampled at each take and add).</summary>
    void OnQueueDepth(string controller, int depth);
}
