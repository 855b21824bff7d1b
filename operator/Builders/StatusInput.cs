using DataCluster.Kube.Models;
using DataCluster.Operator.Api;

namespace DataCluster.Operator.Builders;

/// <summary>Everything <see cref="StatusBuilder"/> computes a status from, as observed by the reconciler.</summary>
public sealed record StatusInput
{
    /// <summary>The DataCluster as read and defaulted: its spec, metadata.generation and current status (for transition times and status.partitions).</summary>
    public required DefaultedCluster Cluster { get; init; }

    /// <summary>The StatefulSet as read, or null when it does not exist yet.</summary>
    public StatefulSet? StatefulSet { get; init; }

    /// <summary>One entry per member pod that exists.</summary>
    public IReadOnlyList<MemberFacts> Members { get; init; } = [];

    /// <summary>The ring EndpointSlice's membership epoch (<see cref="RingSlice.Epoch"/>).</summary>
    public long MembershipEpoch { get; init; }

    /// <summary>The published assignment, or null when the leader agent has published none.</summary>
    public AssignmentSummary? Assignment { get; init; }

    /// <summary>The leader Lease as read, or null.</summary>
    public Lease? LeaderLease { get; init; }

    /// <summary>The result of <see cref="Validation.Validate"/>.</summary>
    public IReadOnlyList<ValidationProblem> Problems { get; init; } = [];

    /// <summary>
    /// While members are draining: the last time the partition replicas they hold went down (or
    /// the drain began). A drain without progress for spec.scaleDown.drainDeadlineSeconds is
    /// reported as stalled. Null when unknown.
    /// </summary>
    public DateTimeOffset? LastDrainProgress { get; init; }

    /// <summary>The drain bookkeeping to publish as status.drain; null when no member is being drained.</summary>
    public DrainStatus? Drain { get; init; }

    /// <summary>
    /// Spec changes the operator cannot carry out and therefore ignores (fields the StatefulSet
    /// does not allow to change), each a sentence saying how to fix it. Reported in the Valid
    /// condition, which stays True because the rest of the spec is still reconciled.
    /// </summary>
    public IReadOnlyList<string> IgnoredChanges { get; init; } = [];

    /// <summary>The current time.</summary>
    public required DateTimeOffset Now { get; init; }
}

/// <summary>
/// The parts of the published assignment the status shows. How the assignment is encoded in the
/// ConfigMap is the agents' business; the reconciler decodes it into this.
/// </summary>
/// <param name="Epoch">The assignmentEpoch.</param>
/// <param name="Replicas">Partition replicas per member (pod name), leaderships included.</param>
/// <param name="Leads">Partitions led per member (pod name).</param>
public sealed record AssignmentSummary(
    long Epoch,
    IReadOnlyDictionary<string, int> Replicas,
    IReadOnlyDictionary<string, int> Leads);
