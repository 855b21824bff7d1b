using DataCluster.Kube.Client;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Logging;
using DataCluster.Kube.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataCluster.Kube.Election;

/// <summary>
/// Leader election on a Lease with client-go's semantics: a candidate takes the lease when it
/// is empty, or when its record has not changed for the record's leaseDurationSeconds as
/// measured by this process's own clock since it last saw a change (never by comparing the
/// remote renewTime with the local time, so clock skew between machines does not matter, only
/// clock rate). Every write is conditional on the resourceVersion read, and leaseTransitions
/// grows by one whenever the holder changes.
/// </summary>
/// <remarks>
/// <see cref="RunAsync"/> campaigns until cancelled: acquire, lead (renewing every
/// RetryPeriod), and if a renew deadline is missed, stop leading and campaign again.
/// Callbacks run on the elector's loop (<see cref="OnNewLeader"/> also on the thread of
/// <see cref="ObserveWatched"/>) and must return quickly; the work of a leader belongs
/// in <see cref="OnStartedLeading"/>'s task, which must stop when its token is cancelled.
/// <see cref="IsLeader"/> and <see cref="CurrentLeader"/> may be read from any thread.
/// </remarks>
public sealed class LeaderElector
{
    private readonly ILeaseStore _store;
    private readonly LeaderElectionOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    // _observed and _observedTimestamp change together under _gate: the elector's loop and a
    // watch (ObserveWatched) both record what they saw.
    private readonly Lock _gate = new();
    private Lease? _observed;           // the last record read, written or watched
    private long _observedTimestamp;    // local monotonic time when _observed last changed
    private TaskCompletionSource _nudge = NewNudge(); // completed when a watch sees the lease free
    private volatile bool _isLeader;
    private volatile string? _currentLeader;

    public LeaderElector(IKubeClient client, LeaderElectionOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
        : this(new KubeLeaseStore(client, options.LeaseNamespace, options.LeaseName), options, logger, timeProvider)
    {
    }

    public LeaderElector(ILeaseStore store, LeaderElectionOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Called when this candidate becomes leader; the token is cancelled when it stops leading.</summary>
    public Func<CancellationToken, Task>? OnStartedLeading { get; init; }

    /// <summary>Called when this candidate stops leading (lost the lease or stopping), after the leading work has returned.</summary>
    public Action? OnStoppedLeading { get; init; }

    /// <summary>Called when the observed holder changes, including to this candidate; not called for an empty holder.</summary>
    public Action<string>? OnNewLeader { get; init; }

    /// <summary>Whether this candidate holds the lease as of its last successful renew.</summary>
    public bool IsLeader => _isLeader;

    /// <summary>The holder last observed, or null when none is known or the lease is released.</summary>
    public string? CurrentLeader => _currentLeader;

    public string Identity => _options.Identity;

    /// <summary>leaseTransitions of the lease record last read or written; null before the first read.</summary>
    public int? LeaseTransitions => Volatile.Read(ref _observed)?.Spec.LeaseTransitions;

    /// <summary>
    /// A copy of the lease from a watch (an informer on it). A candidate that polls sees a renewal
    /// up to one RetryPeriod after it was written, and counts the lease's duration from then; a
    /// watch shows it within milliseconds, so the lease counts as expired up to a RetryPeriod
    /// sooner after its holder dies (never before its duration has passed since the holder's
    /// renewal: the watch delivers the write after it happened). A lease seen free (released or
    /// deleted) ends the wait for the next attempt at once. Ignored while this candidate leads,
    /// and when older than the copy already observed. Thread-safe.
    /// </summary>
    public void ObserveWatched(Lease? lease)
    {
        if (_isLeader)
        {
            return;
        }

        if (lease is not null && !Observe(lease, unlessOlder: true))
        {
            return;
        }

        if (lease is null || string.IsNullOrEmpty(lease.Spec.HolderIdentity))
        {
            Volatile.Read(ref _nudge).TrySetResult();
        }
    }

    /// <summary>
    /// Campaigns and leads until <paramref name="cancellationToken"/> is cancelled; then stops
    /// leading (cancelling the leading token first), releases the lease if
    /// <see cref="LeaderElectionOptions.ReleaseOnCancel"/>, and returns.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (await AcquireAsync(cancellationToken).ConfigureAwait(false) is not long acquiredAt)
            {
                return;
            }

            _logger.LeaseAcquired(_options.Identity, _store.Description);
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var work = StartLeading(leading.Token);
            try
            {
                await RenewUntilLostAsync(acquiredAt, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Order matters: stop claiming leadership before anything else can happen.
                _isLeader = false;
                await leading.CancelAsync().ConfigureAwait(false);

                // The leader's work must have stopped before another candidate may start it.
                await work.ConfigureAwait(false);
                Invoke(OnStoppedLeading);
                if (cancellationToken.IsCancellationRequested && _options.ReleaseOnCancel)
                {
                    await ReleaseAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// One attempt to acquire or renew: reads the lease and writes this candidate as holder if
    /// the lease is empty, expired (by the local clock since the record last changed) or ours.
    /// Returns whether this candidate now holds it. Exposed for tests of the protocol.
    /// </summary>
    internal async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var durationSeconds = (int)_options.LeaseDuration.TotalSeconds;
        Lease? current;
        try
        {
            current = await _store.GetAsync(cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                var created = await _store.CreateAsync(new Lease
                {
                    Spec = new LeaseSpec
                    {
                        HolderIdentity = _options.Identity,
                        LeaseDurationSeconds = durationSeconds,
                        AcquireTime = now,
                        RenewTime = now,
                        LeaseTransitions = 0,
                    },
                }, cancellationToken).ConfigureAwait(false);
                Observe(created);
                return _isLeader = true;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _logger.LeaseAttemptFailed(e, _options.Identity, _store.Description);
            return false;
        }

        Observe(current);
        var holder = current.Spec.HolderIdentity;
        var ours = holder == _options.Identity;
        var recordDuration = TimeSpan.FromSeconds(current.Spec.LeaseDurationSeconds ?? durationSeconds);
        if (!string.IsNullOrEmpty(holder) && !ours && _time.GetElapsedTime(ObservedTimestamp()) < recordDuration)
        {
            return _isLeader = false; // held by someone else and not expired
        }

        current.Spec.HolderIdentity = _options.Identity;
        current.Spec.LeaseDurationSeconds = durationSeconds;
        current.Spec.RenewTime = now;
        if (!ours)
        {
            current.Spec.AcquireTime = now;
            current.Spec.LeaseTransitions = (current.Spec.LeaseTransitions ?? 0) + 1;
        }

        try
        {
            Observe(await _store.UpdateAsync(current, cancellationToken).ConfigureAwait(false));
            return _isLeader = true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A conflict means another candidate wrote first; anything else is a failed attempt.
            _logger.LeaseAttemptFailed(e, _options.Identity, _store.Description);
            return false;
        }
    }

    /// <summary>
    /// Retries every RetryPeriod (jittered) until acquired; returns the local timestamp taken
    /// just before the successful attempt, or null when cancelled first.
    /// </summary>
    private async Task<long?> AcquireAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(_options.RenewDeadline);
                var started = _time.GetTimestamp();
                if (await TryAcquireOrRenewAsync(attempt.Token).ConfigureAwait(false))
                {
                    return started;
                }

            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The attempt outlived RenewDeadline (an API server too slow to answer): a failed
                // attempt like any other, retried; never a reason to stop campaigning.
                _logger.LeaseAttemptTimedOut(_options.Identity, _store.Description, (long)_options.RenewDeadline.TotalMilliseconds);
            }

            // A watch that sees the lease free ends the wait early (ObserveWatched). One that saw
            // it during the attempt just made (whose read may have come first) means no wait.
            var nudge = Volatile.Read(ref _nudge);
            if (nudge.Task.IsCompleted)
            {
                Volatile.Write(ref _nudge, NewNudge());
                continue;
            }

            await Task.WhenAny(Task.Delay(NextAcquireDelay(), _time, cancellationToken), nudge.Task).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>
    /// The jittered retry period, but no later than just after the observed lease expires:
    /// waking exactly then trims up to one retry period off a failover without changing when
    /// the lease counts as expired.
    /// </summary>
    private TimeSpan NextAcquireDelay()
    {
        var delay = _options.RetryPeriod * (1 + (Random.Shared.NextDouble() * _options.JitterFactor));
        Lease? lease;
        long observedAt;
        lock (_gate)
        {
            (lease, observedAt) = (_observed, _observedTimestamp);
        }

        if (lease is not null && !string.IsNullOrEmpty(lease.Spec.HolderIdentity))
        {
            var duration = TimeSpan.FromSeconds(lease.Spec.LeaseDurationSeconds ?? (int)_options.LeaseDuration.TotalSeconds);

            // 10 ms past expiry: the elapsed-time check is strict, and timers may fire a hair early.
            var untilExpiry = duration - _time.GetElapsedTime(observedAt) + TimeSpan.FromMilliseconds(10);
            if (untilExpiry > TimeSpan.Zero && untilExpiry < delay)
            {
                delay = untilExpiry;
            }
        }

        return delay;
    }

    /// <summary>
    /// Renews every RetryPeriod; returns when a renew has not succeeded for RenewDeadline
    /// since the last success (leadership lost) or when cancelled.
    /// </summary>
    /// <remarks>
    /// Times count from just before each successful write was sent, never from its answer, so
    /// the leader's deadline can only be earlier than what others observe, never later.
    /// </remarks>
    private async Task RenewUntilLostAsync(long acquiredAt, CancellationToken cancellationToken)
    {
        var lastRenew = acquiredAt;
        try
        {
            while (true)
            {
                // Wake at the deadline rather than past it, so a leader that cannot renew
                // stops no later than RenewDeadline after its last renew.
                var untilDeadline = _options.RenewDeadline - _time.GetElapsedTime(lastRenew);
                var pause = untilDeadline < _options.RetryPeriod ? untilDeadline : _options.RetryPeriod;
                if (pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause, _time, cancellationToken).ConfigureAwait(false);
                }

                var remaining = _options.RenewDeadline - _time.GetElapsedTime(lastRenew);
                if (remaining <= TimeSpan.Zero)
                {
                    _logger.LeaseLost(_options.Identity, _store.Description);
                    return;
                }

                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(remaining);
                bool renewed;
                var started = _time.GetTimestamp();
                try
                {
                    renewed = await TryAcquireOrRenewAsync(attempt.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    renewed = false; // this attempt hit the deadline
                }

                if (renewed)
                {
                    lastRenew = started;
                }
                else if (_observed?.Spec.HolderIdentity is { Length: > 0 } holder && holder != _options.Identity)
                {
                    _logger.LeaseLost(_options.Identity, _store.Description);
                    return; // someone else holds it now (our lease expired while we could not write)
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private Task StartLeading(CancellationToken leading)
    {
        if (OnStartedLeading is not { } callback)
        {
            return Task.CompletedTask;
        }

        return Task.Run(async () =>
        {
            try
            {
                await callback(leading).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (leading.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                _logger.LeaderCallbackFailed(e, _options.Identity, _store.Description);
            }
        }, CancellationToken.None);
    }

    /// <summary>Writes an empty holder with a 1 s duration, if we still hold the lease, so the next candidate need not wait.</summary>
    private async Task ReleaseAsync()
    {
        if (_observed is not { } lease || lease.Spec.HolderIdentity != _options.Identity)
        {
            return;
        }

        // Not the caller's (cancelled) token: the release must still go out, bounded on its own.
        using var timeout = new CancellationTokenSource(_options.RenewDeadline, _time);
        try
        {
            try
            {
                await WriteReleaseAsync(lease, timeout.Token).ConfigureAwait(false);
            }
            catch (ConflictException)
            {
                // A renewal the server applied but whose answer was never read (the stop cancelled
                // it) leaves the observed copy one version behind: release the current one if it
                // is still ours.
                if (await _store.GetAsync(timeout.Token).ConfigureAwait(false) is not { } current || current.Spec.HolderIdentity != _options.Identity)
                {
                    return;
                }

                await WriteReleaseAsync(current, timeout.Token).ConfigureAwait(false);
            }

            _logger.LeaseReleased(_options.Identity, _store.Description);
        }
        catch (Exception e)
        {
            _logger.LeaseReleaseFailed(e, _options.Identity, _store.Description);
        }
    }

    /// <summary>Writes <paramref name="lease"/> back with an empty holder and a 1 s duration.</summary>
    private async Task WriteReleaseAsync(Lease lease, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        lease.Spec.HolderIdentity = "";
        lease.Spec.LeaseDurationSeconds = 1;
        lease.Spec.AcquireTime = now;
        lease.Spec.RenewTime = now;
        Observe(await _store.UpdateAsync(lease, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Records the lease as observed now if it changed, and reports a new holder.</summary>
    /// <returns>False when <paramref name="unlessOlder"/> and the copy is older than the one observed (then ignored).</returns>
    private bool Observe(Lease lease, bool unlessOlder = false)
    {
        var holder = string.IsNullOrEmpty(lease.Spec.HolderIdentity) ? null : lease.Spec.HolderIdentity;
        lock (_gate)
        {
            if (unlessOlder && _observed is { } known && IsOlder(lease.Metadata.ResourceVersion, known.Metadata.ResourceVersion))
            {
                return false;
            }

            if (_observed?.Metadata.ResourceVersion != lease.Metadata.ResourceVersion || _observed is null)
            {
                _observedTimestamp = _time.GetTimestamp();
            }

            Volatile.Write(ref _observed, lease);
            if (holder == _currentLeader)
            {
                return true;
            }

            _currentLeader = holder;
        }

        if (holder is not null)
        {
            _logger.NewLeader(_store.Description, holder);
            Invoke(OnNewLeader, holder);
        }

        return true;
    }

    private long ObservedTimestamp()
    {
        lock (_gate)
        {
            return _observedTimestamp;
        }
    }

    /// <summary>
    /// Whether resourceVersion <paramref name="version"/> is older than <paramref name="than"/>.
    /// Resource versions are opaque by contract; the API server's are etcd revisions, which only
    /// grow, so two that both read as numbers are compared as such. Any other pair counts as not
    /// older: a copy taken for newer only makes the lease look fresher, which delays a takeover
    /// and never hastens one.
    /// </summary>
    private static bool IsOlder(string? version, string? than) =>
        ulong.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v)
        && ulong.TryParse(than, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var t)
        && v < t;

    private static TaskCompletionSource NewNudge() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Invoke(Action? callback)
    {
        try
        {
            callback?.Invoke();
        }
        catch (Exception e)
        {
            _logger.LeaderCallbackFailed(e, _options.Identity, _store.Description);
        }
    }

    private void Invoke(Action<string>? callback, string value)
    {
        try
        {
            callback?.Invoke(value);
        }
        catch (Exception e)
        {
            _logger.LeaderCallbackFailed(e, _options.Identity, _store.Description);
        }
    }
}
