using System.Diagnostics;
using DataCluster.Agent.Observability;
using DataCluster.Kube.Errors;
using DataCluster.Ring;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Assignments;

/// <summary>What one <see cref="AssignmentPublisher.PublishAsync"/> did.</summary>
public enum PublishOutcome
{
    /// <summary>A new assignment was written.</summary>
    Published,

    /// <summary>The published assignment already places every replica as it should.</summary>
    Unchanged,

    /// <summary>No members: nothing to assign, and an empty assignment is never published.</summary>
    NoMembers,

    /// <summary>The ConfigMap does not exist (the operator creates it; the agent may not).</summary>
    Missing,

    /// <summary>The ConfigMap holds content this agent cannot use; it is left untouched.</summary>
    Refused,

    /// <summary>Every attempt met a concurrent write; the next trigger tries again.</summary>
    Conflicted,
}

/// <summary>The result of a publish: the outcome and the epoch written, if any.</summary>
public readonly record struct PublishResult(PublishOutcome Outcome, long Epoch = 0);

/// <summary>
/// The cluster leader's writer of the assignment ConfigMap: computes
/// <c>Assign(previous, members)</c> and publishes it with an epoch above every epoch seen.
/// </summary>
/// <remarks>
/// <para>
/// Epoch rules: the new epoch is one more than the largest of the previous snapshot's epoch, the
/// ConfigMap's <c>epoch</c> key, every epoch this agent has seen and every epoch it has written.
/// So epochs strictly increase and never go below one any agent may hold, even if the ConfigMap
/// was emptied by hand or the previous leader's write was the last thing it did.
/// </para>
/// <para>
/// Concurrency: each write is conditional on the resourceVersion just read; on a conflict the
/// publisher reads again, recomputes from what it finds and retries, a few times.
/// </para>
/// <para>
/// Content it cannot decode (a newer encoding during an upgrade, a hand edit, another partition
/// count) is never overwritten: overwriting would either downgrade what a newer leader wrote or
/// publish an epoch chosen without knowing the one it replaces, which agents holding a higher
/// epoch would silently ignore. The publisher logs the problem and its fix and leaves the
/// ConfigMap alone; every agent keeps serving the last good snapshot it loaded.
/// </para>
/// <para>Not thread-safe: one caller (the leader's loop) at a time.</para>
/// </remarks>
public sealed class AssignmentPublisher
{
    /// <summary>
    /// Attempts per publish when writes conflict. 4: a conflict means another writer (a deposed
    /// leader's last write, a human) raced us; more than a few in a row means something keeps
    /// writing, and the next trigger is a better time to look again than a hot loop.
    /// </summary>
    private const int MaxAttempts = 4;

    private readonly IAssignmentStore _store;
    private readonly AssignmentState _state;
    private readonly AssignmentSettings _settings;
    private readonly string _self;
    private readonly AgentMetrics _metrics;
    private readonly ILogger _logger;
    private long _highestWritten;

    public AssignmentPublisher(IAssignmentStore store, AssignmentState state, AssignmentSettings settings, string self, AgentMetrics metrics, ILogger logger)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _state = state ?? throw new ArgumentNullException(nameof(state));
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        ArgumentException.ThrowIfNullOrEmpty(self);
        _self = self;
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>What the assignments it publishes are computed with.</summary>
    public AssignmentSettings Settings => _settings;

    /// <summary>
    /// Publishes the assignment for <paramref name="members"/> if it differs from the published
    /// one. Store failures other than conflicts propagate (the caller retries later).
    /// </summary>
    /// <param name="members">The current membership; order does not matter.</param>
    /// <param name="membershipEpoch">The ring EndpointSlice's membership epoch, recorded alongside.</param>
    /// <param name="cancellationToken">Stops the attempt (leadership lost).</param>
    public async Task<PublishResult> PublishAsync(IReadOnlyList<Member> members, long? membershipEpoch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(members);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var stored = await _store.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                AgentLog.AssignmentConfigMapMissing(_logger, _store.Description);
                return new PublishResult(PublishOutcome.Missing);
            }

            // Every agent, this one included, takes in what the ConfigMap holds.
            var document = _state.Observe(stored.Data);
            if (document.Kind == AssignmentDocumentKind.Unusable)
            {
                AgentLog.PublishRefused(_logger, _store.Description, document.Problem!);
                return new PublishResult(PublishOutcome.Refused);
            }

            if (members.Count == 0)
            {
                return new PublishResult(PublishOutcome.NoMembers);
            }

            // The newest snapshot seen: normally the ConfigMap's; the agent's own when the
            // ConfigMap was emptied or rolled back, so placements carry on from there.
            var previous = Newer(document.Assignment, _state.Current?.Assignment);
            var next = Assigner.Assign(previous, members, _settings);
            if (document.Assignment is { } published && next.SameReplicas(published))
            {
                return new PublishResult(PublishOutcome.Unchanged);
            }

            var epoch = Math.Max(Math.Max(previous?.Epoch ?? 0, document.HighestEpoch), Math.Max(_state.HighestEpochSeen, _highestWritten)) + 1;
            var assignment = Assignment.Create(epoch, next.Partitions, next.ReplicationFactor, next.ToReplicaLists(), next.Draining);
            using var span = AgentTracing.Source.StartActivity("publish assignment", ActivityKind.Client);
            span?.SetTag("datacluster.epoch", epoch);
            span?.SetTag("datacluster.members", members.Count);
            span?.SetTag("datacluster.attempt", attempt);
            try
            {
                var written = await _store.WriteAsync(AssignmentDocument.Data(assignment, membershipEpoch, _self), stored.ResourceVersion, cancellationToken).ConfigureAwait(false);
                _highestWritten = epoch;
                _metrics.AssignmentsPublished.Inc();
                AgentLog.AssignmentPublished(_logger, epoch, members.Count, membershipEpoch ?? 0, attempt);
                _state.Observe(written.Data);
                return new PublishResult(PublishOutcome.Published, epoch);
            }
            catch (ConflictException)
            {
                span?.SetStatus(ActivityStatusCode.Error, "conflict");
                AgentLog.PublishConflict(_logger, _store.Description, epoch, attempt);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                span?.SetStatus(ActivityStatusCode.Error, e.Message);
                throw;
            }
        }

        return new PublishResult(PublishOutcome.Conflicted);
    }

    private static Assignment? Newer(Assignment? a, Assignment? b) =>
        a is null ? b : b is null ? a : b.Epoch > a.Epoch ? b : a;
}
