using DataCluster.Agent.Observability;
using DataCluster.Replication;
using DataCluster.Ring;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Hosting;

/// <summary>How a handoff ended.</summary>
/// <param name="Completed">True when this member leads nothing and every partition it led follows an active new leader.</param>
/// <param name="Pending">Partitions still waiting for a new leader when the handoff ended.</param>
/// <param name="Elapsed">From the start of the handoff to its end.</param>
public readonly record struct HandoffResult(bool Completed, IReadOnlyList<int> Pending, TimeSpan Elapsed);

/// <summary>
/// A stopping member's planned handoff of its partition leaderships (DESIGN 6.7): it announces
/// that it is leaving, keeps serving as a replica while the cluster leader publishes an
/// assignment that gives it no leadership, and ends once every partition it led follows a new
/// leader that has appended its TermStart (synced from a majority that still includes this
/// member, so it lacks nothing this member accepted) and no leader it promised is still syncing
/// (it may be fetching from this member), both for <see cref="QuietBeforeDone"/>, or when the
/// grace runs out.
/// </summary>
/// <remarks>
/// The caller keeps the agent fully running (heartbeat, data plane, peers, client API, and the
/// cluster leadership if it holds it, since it may have to publish its own move) until
/// <see cref="RunAsync"/> returns, and only then stops it. Writes routed to this member after the
/// move are forwarded to the new leader or refused with a retry hint by the data plane.
/// <see cref="RunAsync"/> runs once; it reads the assignment and statuses through thread-safe delegates.
/// </remarks>
public sealed class LeadershipHandoff
{
    /// <summary>
    /// How often progress is checked. 25 ms is a small share of the 1 s unavailability target
    /// and of the data plane's 100 ms status refresh, and costs nothing but a scan of statuses.
    /// </summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// How long nothing must be pending before the handoff counts as done. The statuses are a
    /// snapshot the data plane refreshes every 100 ms, and a new leader acting on the assignment
    /// that moved a partition may send its prepare only just after this member saw it: a promise
    /// made since the last snapshot shows only in a later one. Without this wait a member once
    /// exited 5 ms after promising a new leader that then fetched from it, and that partition
    /// refused writes until the member came back (1.2 s in a rolling update).
    /// </summary>
    public static readonly TimeSpan QuietBeforeDone = TimeSpan.FromMilliseconds(250);

    private readonly string _self;
    private readonly Func<Assignment?> _assignment;
    private readonly Func<IReadOnlyList<PartitionStatus>?> _statuses;
    private readonly Func<CancellationToken, Task<bool>> _announce;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <param name="self">This member's id (pod name).</param>
    /// <param name="assignment">The newest assignment this member acts on, or null before the first.</param>
    /// <param name="statuses">The data plane's partition statuses; null (or empty) while no data plane runs, and then the assignment alone decides.</param>
    /// <param name="announce">Tells the cluster leader this member is leaving (marks its member Lease); true when the mark was written.</param>
    /// <param name="logger">For the start, the end and a missed announcement.</param>
    /// <param name="time">The clock.</param>
    public LeadershipHandoff(string self, Func<Assignment?> assignment, Func<IReadOnlyList<PartitionStatus>?> statuses, Func<CancellationToken, Task<bool>> announce, ILogger logger, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(self);
        _self = self;
        _assignment = assignment ?? throw new ArgumentNullException(nameof(assignment));
        _statuses = statuses ?? throw new ArgumentNullException(nameof(statuses));
        _announce = announce ?? throw new ArgumentNullException(nameof(announce));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>
    /// Announces, then waits for the handoff to finish or <paramref name="grace"/> to pass. Never
    /// throws except on cancellation; a failed announcement is logged and the wait goes on (the
    /// heartbeat repeats the mark at its next renewal).
    /// </summary>
    public async Task<HandoffResult> RunAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        AgentLog.HandoffStarted(_logger, _self, grace.TotalSeconds);
        var led = new SortedSet<int>();
        IReadOnlyList<int> pending = Pending(_self, led, _assignment(), _statuses());
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(grace);
        try
        {
            try
            {
                if (!await _announce(deadline.Token).ConfigureAwait(false))
                {
                    AgentLog.LeavingNotAnnounced(_logger, _self, "the member Lease could not be written");
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                AgentLog.LeavingNotAnnounced(_logger, _self, $"{e.GetType().Name}: {e.Message}");
            }

            long? quietSince = null;
            while (true)
            {
                pending = Pending(_self, led, _assignment(), _statuses());
                if (pending.Count > 0)
                {
                    quietSince = null;
                }
                else if (quietSince is null)
                {
                    quietSince = _time.GetTimestamp();
                }
                else if (_time.GetElapsedTime(quietSince.Value) >= QuietBeforeDone)
                {
                    var elapsed = _time.GetElapsedTime(started);
                    AgentLog.HandoffCompleted(_logger, _self, (long)elapsed.TotalMilliseconds);
                    return new HandoffResult(true, [], elapsed);
                }

                await Task.Delay(PollInterval, _time, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The grace ran out.
        }

        pending = Pending(_self, led, _assignment(), _statuses());
        if (pending.Count == 0)
        {
            return new HandoffResult(true, [], _time.GetElapsedTime(started));
        }

        AgentLog.HandoffTimedOut(_logger, _self, pending.Count, grace.TotalSeconds, Describe(pending[0], _assignment(), _statuses()));
        return new HandoffResult(false, pending, _time.GetElapsedTime(started));
    }

    /// <summary>True when the assignment has a member besides <paramref name="self"/> that is not leaving, so a partition without a leader may still get one.</summary>
    private static bool HasSuccessor(string self, Assignment assignment)
    {
        foreach (var member in assignment.Members)
        {
            if (member != self && !assignment.Draining.Contains(member))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The partitions whose leadership has not yet moved off <paramref name="self"/>: those the
    /// assignment still gives it, those it still leads or syncs, and those it led (remembered in
    /// <paramref name="led"/>, which this adds to) whose new leader it does not yet follow in an
    /// active term, and any partition whose new leader it promised but which has not started
    /// its term yet (it may be syncing from this member). A partition whose replicas no longer
    /// include <paramref name="self"/> is no longer its concern. Without statuses (no data plane running, null or empty) only the
    /// assignment is checked.
    /// </summary>
    public static IReadOnlyList<int> Pending(string self, ISet<int> led, Assignment? assignment, IReadOnlyList<PartitionStatus>? statuses)
    {
        ArgumentNullException.ThrowIfNull(led);
        statuses ??= [];
        foreach (var status in statuses)
        {
            if (status.Role is ReplicaRole.Leading or ReplicaRole.Syncing)
            {
                led.Add(status.Partition);
            }
        }

        if (assignment is not null)
        {
            for (var p = 0; p < assignment.Partitions; p++)
            {
                if (assignment.LeaderOf(p) == self)
                {
                    led.Add(p);
                }
            }
        }

        // Without another member that stays, a partition the move left leaderless gets no leader:
        // there is nothing to hand off, and waiting would only hold the stop for the whole grace.
        var successor = assignment is not null && HasSuccessor(self, assignment);
        var pending = new List<int>();
        foreach (var p in led)
        {
            var status = StatusOf(statuses, p);
            if (status?.Role is ReplicaRole.Leading or ReplicaRole.Syncing)
            {
                pending.Add(p);
                continue;
            }

            if (assignment is null || p >= assignment.Partitions)
            {
                continue;
            }

            var leader = assignment.LeaderOf(p);
            if (leader == self || leader is null)
            {
                if (leader == self || successor)
                {
                    pending.Add(p);
                }

                continue;
            }

            if (statuses.Count > 0 && assignment.ReplicasOf(p).Contains(self) && !(status is { FollowsActiveLeader: true } && status.Leader == leader))
            {
                pending.Add(p);
            }
        }

        // A term this member promised but whose TermStart it does not hold yet: that leader may
        // be fetching from this member (the most up-to-date promiser), and would wait for it to
        // come back if it left now.
        foreach (var status in statuses)
        {
            if (status is { Role: ReplicaRole.Following, Term: > 0 } && status.LastLogTerm != status.Term
                && !led.Contains(status.Partition)
                && (assignment is null || (status.Partition < assignment.Partitions && assignment.ReplicasOf(status.Partition).Contains(self))))
            {
                pending.Add(status.Partition);
            }
        }

        return pending;
    }

    private string Describe(int partition, Assignment? assignment, IReadOnlyList<PartitionStatus>? statuses)
    {
        var leader = assignment?.LeaderOf(partition);
        var status = StatusOf(statuses, partition);
        return leader == _self
            ? $"partition {partition}: the assignment (epoch {assignment!.Epoch}) still names this member its leader"
            : $"partition {partition}: assigned to {leader ?? "no leader"}, here {status?.Role.ToString() ?? "no status"} in term {status?.Term ?? 0}";
    }

    private static PartitionStatus? StatusOf(IReadOnlyList<PartitionStatus>? statuses, int partition) =>
        statuses is null ? null
        : partition < statuses.Count && statuses[partition].Partition == partition
            ? statuses[partition]
            : statuses.FirstOrDefault(s => s.Partition == partition);
}
