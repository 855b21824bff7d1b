using System.Threading.Channels;
using DataCluster.Agent.Assignments;
using DataCluster.Agent.Membership;
using DataCluster.Agent.Observability;
using DataCluster.Ring;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Leadership;

/// <summary>
/// What the cluster leader does while it leads: follows the member Leases, computes membership
/// (ring EndpointSlice intersected with fresh Leases) and publishes the assignment whenever
/// membership changes. One instance per leadership term.
/// </summary>
/// <remarks>
/// <para>
/// It recomputes after any change that may matter (a Lease appearing, changing holder or turning
/// fresh, the ring EndpointSlice, the assignment ConfigMap), debounced, and at the moment the
/// next fresh Lease would expire: a dead member sends no event, so a timer is what notices it.
/// Routine renewals of fresh Leases wake nothing; at steady state the leader makes no API calls
/// besides its own Lease renewals.
/// </para>
/// <para>
/// A member that holds no replica in the published assignment joins (<see cref="JoiningMembers"/>):
/// it gets replicas at once and leaderships once it has settled, when the loop computes again.
/// </para>
/// <para>
/// A forming cluster (no assignment published yet) waits for as many members as the
/// replication factor before its first assignment, at most one lease duration: the members'
/// Leases appear over a few hundred milliseconds, and an assignment of the first one alone would
/// give every partition a single replica, so that QUORUM would mean one copy until the next
/// epoch, and would cost a round of moves right after.
/// </para>
/// <para>
/// A publish that fails (API server unreachable, ConfigMap missing or unusable, repeated
/// conflicts) is tried again after <see cref="RetryDelay"/> or at the next change.
/// </para>
/// </remarks>
public sealed class LeaderDuties
{
    /// <summary>
    /// Changes arrive in bursts: a pod restart touches the slice and its Lease within
    /// milliseconds, a scale-up adds several endpoints in quick slice updates. Waiting 250 ms after
    /// the first change folds a burst into one assignment (one epoch, one round of moves) and adds
    /// only a quarter second to failover.
    /// </summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Past a Lease's computed expiry (or a joining member's settle) before recomputing: freshness
    /// is a strict comparison and timers may fire a hair early; 10 ms is far below anything else
    /// in the failover budget.
    /// </summary>
    private static readonly TimeSpan ExpirySlack = TimeSpan.FromMilliseconds(10);

    private readonly string _cluster;
    private readonly RingView _ring;
    private readonly AssignmentState _state;
    private readonly AssignmentPublisher _publisher;
    private readonly IMemberLeaseFeed _feed;
    private readonly TimeSpan _leaseDuration;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly JoiningMembers _joining;

    public LeaderDuties(
        string cluster,
        RingView ring,
        AssignmentState state,
        AssignmentPublisher publisher,
        IMemberLeaseFeed feed,
        TimeSpan leaseDuration,
        TimeSpan retryDelay,
        ILogger logger,
        TimeProvider time,
        TimeSpan? joinSettle = null)
    {
        _cluster = cluster;
        _ring = ring ?? throw new ArgumentNullException(nameof(ring));
        _state = state ?? throw new ArgumentNullException(nameof(state));
        _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
        _feed = feed ?? throw new ArgumentNullException(nameof(feed));
        _leaseDuration = leaseDuration;
        RetryDelay = retryDelay;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _joining = new JoiningMembers(time, joinSettle ?? JoiningMembers.DefaultSettle);
    }

    /// <summary>Pause before retrying a publish that failed; the agent uses its renew interval.</summary>
    public TimeSpan RetryDelay { get; }

    /// <summary>The membership last computed, for diagnostics and tests.</summary>
    public IReadOnlyList<Member> LastMembers { get; private set; } = [];

    /// <summary>The result of the last publish attempt.</summary>
    public PublishResult? LastResult { get; private set; }

    /// <summary>Leads until cancelled (leadership lost or the agent stopping).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var leases = new LeaseObservations(_time, _leaseDuration);
        var wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void Wake() => wake.Writer.TryWrite(true);

        // The publisher's own reads and writes are observations too; they must not wake the
        // loop that caused them (that would cost a debounce and a read after every publish).
        // A write by someone else while we publish fails our write with a conflict instead.
        var publishing = false;
        void Observed()
        {
            if (!Volatile.Read(ref publishing))
            {
                Wake();
            }
        }

        _ring.Changed += Wake;
        _state.Observed += Observed;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var feeding = _feed.RunAsync(
            lease =>
            {
                if (leases.Observe(lease))
                {
                    Wake();
                }
            },
            lease =>
            {
                leases.Forget(lease.Metadata.Name ?? "");
                Wake();
            },
            stop.Token);
        try
        {
            await _feed.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
            AgentLog.LeaderDutiesStarted(_logger, _cluster);
            var started = _time.GetTimestamp();
            var toldForming = false;
            IReadOnlyList<Member>? checkedMembers = null;
            long? checkedEpoch = null;
            long checkedObservations = -1;
            var retryAt = (TimeSpan?)null;
            while (true)
            {
                // Whatever woke us so far is in what we are about to read.
                wake.Reader.TryRead(out _);
                var snapshot = _ring.Current;
                var members = _joining.Mark(MembershipCalculator.Compute(_cluster, snapshot, leases), _state.Current?.Assignment);
                LastMembers = members;
                if (FormingWait(members, started) is { } forming)
                {
                    if (!toldForming)
                    {
                        AgentLog.FormingWait(_logger, _cluster, Serving(members), _publisher.Settings.ReplicationFactor, _leaseDuration.TotalSeconds);
                        toldForming = true;
                    }

                    if (await WaitAsync(wake.Reader, Min(leases.UntilNextExpiry() + ExpirySlack, forming + ExpirySlack), cancellationToken).ConfigureAwait(false))
                    {
                        await Task.Delay(Debounce, _time, cancellationToken).ConfigureAwait(false);
                    }

                    continue;
                }

                if (toldForming && Forming(members))
                {
                    AgentLog.FormingShort(_logger, _cluster, Serving(members), _publisher.Settings.ReplicationFactor, _leaseDuration.TotalSeconds);
                }

                toldForming = false;
                var same = checkedMembers is not null
                    && checkedMembers.SequenceEqual(members)
                    && checkedEpoch == snapshot.MembershipEpoch
                    && checkedObservations == _state.Observations;
                if (!same || retryAt is not null)
                {
                    retryAt = null;
                    Volatile.Write(ref publishing, true);
                    try
                    {
                        LastResult = await _publisher.PublishAsync(members, snapshot.MembershipEpoch, cancellationToken).ConfigureAwait(false);
                        if (LastResult.Value.Outcome is PublishOutcome.Missing or PublishOutcome.Refused or PublishOutcome.Conflicted)
                        {
                            retryAt = RetryDelay;
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        AgentLog.PublishFailed(_logger, $"{e.GetType().Name}: {e.Message}", RetryDelay.TotalSeconds);
                        retryAt = RetryDelay;
                    }
                    finally
                    {
                        Volatile.Write(ref publishing, false);
                    }

                    checkedMembers = members;
                    checkedEpoch = snapshot.MembershipEpoch;

                    // The publisher read the ConfigMap (and saw its own write): what that showed
                    // is accounted for. A concurrent write by someone else fails our next write
                    // with a conflict, or shows up as a later observation.
                    checkedObservations = _state.Observations;
                }

                var untilExpiry = leases.UntilNextExpiry() + ExpirySlack;
                var wait = Min(Min(untilExpiry, retryAt), _joining.UntilNextSettled() + ExpirySlack);
                if (await WaitAsync(wake.Reader, wait, cancellationToken).ConfigureAwait(false))
                {
                    await Task.Delay(Debounce, _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Leadership ended.
        }
        finally
        {
            _ring.Changed -= Wake;
            _state.Observed -= Observed;
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await feeding.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            AgentLog.LeaderDutiesStopped(_logger, _cluster);
        }
    }

    /// <summary>
    /// How much longer the first assignment waits for members, or null to publish now: when the
    /// cluster is no longer forming (<see cref="Forming"/>), or once a lease duration has passed
    /// since these duties began (a cluster of fewer members than the factor, or members that do
    /// not come).
    /// </summary>
    private TimeSpan? FormingWait(IReadOnlyList<Member> members, long started)
    {
        if (!Forming(members))
        {
            return null;
        }

        var left = _leaseDuration - _time.GetElapsedTime(started);
        return left > TimeSpan.Zero ? left : null;
    }

    /// <summary>No assignment is published yet and fewer members than the replication factor can hold replicas.</summary>
    private bool Forming(IReadOnlyList<Member> members) =>
        _state.Current?.Assignment is not { IsEmpty: false } && Serving(members) < _publisher.Settings.ReplicationFactor;

    /// <summary>Members that can hold replicas (not draining).</summary>
    private static int Serving(IReadOnlyList<Member> members) => members.Count(m => m.State != MemberState.Draining);

    /// <summary>Waits for a wake-up (true) or until <paramref name="timeout"/> passes (false).</summary>
    private async Task<bool> WaitAsync(ChannelReader<bool> wake, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (timeout is null)
        {
            await wake.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }

        if (timeout <= TimeSpan.Zero)
        {
            return wake.TryPeek(out _);
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var registration = _time.CreateTimer(_ => timer.Cancel(), null, timeout.Value, Timeout.InfiniteTimeSpan);
        try
        {
            await wake.WaitToReadAsync(timer.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;
}
