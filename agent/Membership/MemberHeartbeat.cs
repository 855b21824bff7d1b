using System.Diagnostics;
using DataCluster.Agent.Observability;
using DataCluster.Kube.Election;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Membership;

/// <summary>
/// Renews this member's Lease NAME-member-&lt;ordinal&gt;: the heartbeat the cluster leader
/// judges membership by.
/// </summary>
/// <remarks>
/// <para>
/// Timing, with the defaults (lease 6 s, renew every 2 s): a killed member's Lease was renewed
/// at most 2 s before the kill and goes stale 6 s after that renewal, so at most 6 s after the
/// kill. The cluster leader does not wait for an event (a dead member sends none): it sets a
/// timer for the next expiry, then debounces (0.25 s), publishes (one ConfigMap update) and
/// every agent's watch delivers the new assignment, about 0.5 s together. The partitions of a
/// killed member therefore get a new leader about 6.5 s, at worst about 7 s, after the kill:
/// under the 8 s target with a margin for a slow API server. Three renewals fit in one lease
/// duration, so one or two failed or slow renewals do not cost a member its place.
/// </para>
/// <para>
/// Load: each renewal is exactly one write (the Lease object returned by the last update is
/// kept and updated again; only a conflict costs a re-read and one retry), so each member
/// writes one Lease update per renew interval: N members, N/2 writes per second. The cluster
/// leader additionally renews the leader Lease once per retry period (also 2 s by default).
/// </para>
/// <para>
/// The Lease is pre-created by the operator and the agent's Role does not allow create: when it
/// is missing the heartbeat logs it, retries with backoff, and <see cref="IsHeld"/> stays false
/// (the agent reports not ready).
/// </para>
/// <para><see cref="RunAsync"/> runs once; the properties may be read from any thread.</para>
/// </remarks>
public sealed class MemberHeartbeat : Hosting.IHeartbeatView
{
    /// <summary>
    /// The longest pause between looks for a missing Lease. 16 s: the operator creates Leases
    /// within a reconcile or two, and an agent without its Lease cannot join anyway; polling
    /// faster would only load the API server while the operator is down.
    /// </summary>
    private static readonly TimeSpan MaxMissingBackoff = TimeSpan.FromSeconds(16);

    private readonly ILeaseStore _store;
    private readonly string _identity;
    private readonly TimeSpan _leaseDuration;
    private readonly TimeSpan _renewInterval;
    private readonly AgentMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private Lease? _last;
    private long _lastRenewed = long.MinValue;
    private int _consecutiveFailures;
    private volatile string? _problem = "the member Lease has not been renewed yet";
    private volatile bool _leaving;

    /// <summary>One renewal at a time: the periodic loop and <see cref="AnnounceLeavingAsync"/> share the kept Lease object.</summary>
    private readonly SemaphoreSlim _renewing = new(1, 1);

    public MemberHeartbeat(ILeaseStore store, string identity, TimeSpan leaseDuration, TimeSpan renewInterval, AgentMetrics metrics, ILogger logger, TimeProvider time)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        ArgumentException.ThrowIfNullOrEmpty(identity);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(renewInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, renewInterval);
        _identity = identity;
        _leaseDuration = leaseDuration;
        _renewInterval = renewInterval;
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>
    /// True while the last successful renewal, timed from just before it was sent, is younger
    /// than the lease duration: others still count this member's Lease as fresh.
    /// </summary>
    public bool IsHeld
    {
        get
        {
            var renewed = Interlocked.Read(ref _lastRenewed);
            return renewed != long.MinValue && _time.GetElapsedTime(renewed) < _leaseDuration;
        }
    }

    /// <summary>Why the Lease is not held, or null when the last renewal succeeded.</summary>
    public string? Problem => _problem;

    /// <summary>True once <see cref="AnnounceLeavingAsync"/> was called: every renewal marks the Lease leaving.</summary>
    public bool IsLeaving => _leaving;

    /// <summary>
    /// Marks the member Lease leaving (<see cref="Contracts.AnnotationKeys.Leaving"/>) with one
    /// renewal now, not at the next tick, so the cluster leader counts this member as draining
    /// within one watch event; later renewals keep the mark. True when the write succeeded; on
    /// false the next periodic renewal tries again.
    /// </summary>
    public async Task<bool> AnnounceLeavingAsync(CancellationToken cancellationToken)
    {
        _leaving = true;
        return await RenewOnceAsync(cancellationToken).ConfigureAwait(false) == RenewOutcome.Renewed;
    }

    /// <summary>Renews every renew interval until cancelled. Never throws except on cancellation.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var missingDelay = _renewInterval;
        try
        {
            while (true)
            {
                var started = _time.GetTimestamp();
                var outcome = await RenewOnceAsync(cancellationToken).ConfigureAwait(false);
                TimeSpan wait;
                if (outcome == RenewOutcome.Missing)
                {
                    wait = missingDelay;
                    missingDelay = missingDelay * 2 > MaxMissingBackoff ? MaxMissingBackoff : missingDelay * 2;
                }
                else
                {
                    // A fixed cadence from each attempt's start: a slow write does not stretch
                    // the interval, and a fast one does not shorten it.
                    missingDelay = _renewInterval;
                    wait = _renewInterval - _time.GetElapsedTime(started);
                }

                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the Lease is left to expire, which is what tells the leader we are gone.
        }
    }

    /// <summary>One renewal: one Lease update (plus a re-read and one retry after a conflict).</summary>
    internal async Task<RenewOutcome> RenewOnceAsync(CancellationToken cancellationToken)
    {
        await _renewing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RenewSerializedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _renewing.Release();
        }
    }

    private async Task<RenewOutcome> RenewSerializedAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var startedAt = _time.GetUtcNow();
        RenewOutcome outcome;
        string? failure = null;
        Exception? error = null;
        try
        {
            var lease = _last ?? await _store.GetAsync(cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                outcome = RenewOutcome.Missing;
            }
            else
            {
                try
                {
                    _last = await _store.UpdateAsync(Stamp(lease), cancellationToken).ConfigureAwait(false);
                }
                catch (ConflictException)
                {
                    // Someone else wrote the Lease (the operator recreated it, or a write of ours
                    // succeeded although its answer was lost): read it again and retry once.
                    var fresh = await _store.GetAsync(cancellationToken).ConfigureAwait(false)
                        ?? throw new NotFoundException($"lease {_store.Description} not found");
                    _last = await _store.UpdateAsync(Stamp(fresh), cancellationToken).ConfigureAwait(false);
                }

                outcome = RenewOutcome.Renewed;
            }
        }
        catch (NotFoundException)
        {
            outcome = RenewOutcome.Missing;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            outcome = RenewOutcome.Failed;
            error = e;
            failure = $"renewing the member Lease {_store.Description} failed: {e.Message}";
        }

        var elapsed = _time.GetElapsedTime(started);
        _metrics.LeaseRenewed(elapsed);
        if (outcome == RenewOutcome.Renewed)
        {
            Interlocked.Exchange(ref _lastRenewed, started);
            _problem = null;
            if (_consecutiveFailures > 0)
            {
                AgentLog.LeaseRenewedAgain(_logger, _store.Description, _consecutiveFailures);
            }

            _consecutiveFailures = 0;
            return outcome;
        }

        _last = null;
        _consecutiveFailures++;
        _metrics.LeaseRenewFailures.Inc();
        if (outcome == RenewOutcome.Missing)
        {
            failure = $"the member Lease {_store.Description} does not exist; the operator creates it (the agent may not)";
            AgentLog.LeaseMissing(_logger, _store.Description);
        }
        else if (_consecutiveFailures == 1)
        {
            AgentLog.LeaseRenewFailed(_logger, _store.Description, $"{error!.GetType().Name}: {error.Message}");
        }

        _problem = IsHeld ? failure + " (the Lease is still fresh)" : failure;
        using var span = AgentTracing.Source.StartActivity("heartbeat", ActivityKind.Client, default(ActivityContext), startTime: startedAt);
        span?.SetTag("lease", _store.Description);
        span?.SetStatus(ActivityStatusCode.Error, failure);
        return outcome;
    }

    private Lease Stamp(Lease lease)
    {
        var now = _time.GetUtcNow();
        if (lease.Spec.HolderIdentity != _identity || lease.Spec.AcquireTime is null)
        {
            lease.Spec.AcquireTime = now;
            if (!string.IsNullOrEmpty(lease.Spec.HolderIdentity) && lease.Spec.HolderIdentity != _identity)
            {
                lease.Spec.LeaseTransitions = (lease.Spec.LeaseTransitions ?? 0) + 1;
            }
        }

        // Set while leaving; removed by the first renewal of a (re)started agent, so a member that
        // comes back under the same name is active again from its first heartbeat.
        if (_leaving)
        {
            lease.Metadata.Annotations ??= new Dictionary<string, string>(StringComparer.Ordinal);
            lease.Metadata.Annotations[Contracts.AnnotationKeys.Leaving] = "true";
        }
        else
        {
            lease.Metadata.Annotations?.Remove(Contracts.AnnotationKeys.Leaving);
        }

        lease.Spec.HolderIdentity = _identity;
        lease.Spec.LeaseDurationSeconds = (int)_leaseDuration.TotalSeconds;
        lease.Spec.RenewTime = now;
        return lease;
    }
}

/// <summary>The result of one renewal attempt.</summary>
internal enum RenewOutcome
{
    Renewed,
    Missing,
    Failed,
}
