using DataCluster.Contracts;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;

namespace DataCluster.Operator.Builders;

/// <summary>
/// Computes a DataCluster's status from observed facts. Pure and deterministic: the same input
/// (including <see cref="StatusInput.Now"/>) gives the same status, and a cluster that does not
/// change gives an identical status, so a steady cluster causes no status writes.
/// </summary>
public static class StatusBuilder
{
    /// <summary>Reasons the conditions carry (CamelCase, as metav1.Condition requires).</summary>
    public static class Reasons
    {
        public const string SpecValid = "SpecValid";
        public const string InvalidSpec = "InvalidSpec";
        public const string MembersReady = "MembersReady";
        public const string MembersNotReady = "MembersNotReady";
        public const string NoAssignment = "NoAssignment";
        public const string Creating = "Creating";
        public const string RollingUpdate = "RollingUpdate";
        public const string Scaling = "Scaling";
        public const string Draining = "Draining";
        public const string DrainStalled = "DrainStalled";
        public const string MembersStarting = "MembersStarting";
        public const string Stable = "Stable";
        public const string Progressing = "Progressing";
        public const string NoDrain = "NoDrain";
        public const string ChangesIgnored = "ChangesIgnored";
        public const string NotStalled = "NotStalled";
        public const string Stalled = "Stalled";
    }

    /// <summary>
    /// How long a cluster that has never published an assignment may wait for its members before
    /// it counts as degraded: a first start pulls images, provisions volumes and elects a leader,
    /// which takes minutes on a cold node pool. Once formed, a member may be away only for a lease
    /// duration, after which its partitions move and redundancy is really reduced.
    /// </summary>
    public static readonly TimeSpan StartupGrace = TimeSpan.FromMinutes(5);

    /// <summary>metav1.Condition's limit on message length.</summary>
    private const int MaxMessageLength = 32768;

    /// <summary>The status for <paramref name="input"/>.</summary>
    public static DataClusterStatus Build(StatusInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var cluster = input.Cluster;
        var name = Owner.ClusterName(cluster);
        var spec = cluster.Spec;
        var previous = cluster.Status;
        var now = input.Now;
        var generation = cluster.Metadata.Generation;
        var leaseDuration = spec.Agent.LeaseDurationSeconds;
        var desired = spec.Replicas;
        var assignment = input.Assignment is { Epoch: > 0 } published ? published : null;

        var facts = input.Members
            .Where(m => m is not null)
            .OrderBy(m => m.Ordinal)
            .ThenBy(m => m.PodName, StringComparer.Ordinal)
            .DistinctBy(m => m.PodName)
            .ToList();
        var live = facts.Where(m => m.Live(now, leaseDuration)).Select(m => m.PodName).ToHashSet(StringComparer.Ordinal);
        var readyMembers = facts.Count(m => live.Contains(m.PodName) && !m.Draining && m.Ordinal < desired);
        var notReady = Enumerable.Range(0, Math.Max(desired, 0))
            .Select(ordinal => ObjectNames.Pod(name, ordinal))
            .Where(pod => !live.Contains(pod) || facts.Any(m => m.PodName == pod && m.Draining))
            .ToList();
        var draining = facts.Where(m => m.Draining).ToList();

        var status = new DataClusterStatus
        {
            ObservedGeneration = generation,
            Partitions = FixedPartitions.Record(previous, spec, valid: input.Problems.Count == 0),
            ReadyMembers = readyMembers,
            MembersReady = $"{readyMembers}/{desired}",
            MembershipEpoch = input.MembershipEpoch,
            AssignmentEpoch = assignment?.Epoch ?? 0,
            Leader = LeaderOf(input.LeaderLease, now, leaseDuration),
            Members = [.. facts.Select(m => Member(m, live.Contains(m.PodName), m.LeaseFresh(now, leaseDuration), assignment))],
            Drain = input.Drain,
            Conditions = [.. previous?.Conditions?.Where(c => c is not null) ?? []],
        };

        var conditions = status.Conditions;
        void Set(string type, bool value, string reason, string message) =>
            Conditions.Set(conditions, type, value ? ConditionStatuses.True : ConditionStatuses.False, reason, Truncate(message), generation, now);

        var allReady = readyMembers >= desired;
        if (!allReady)
        {
            Set(ConditionTypes.Ready, false, Reasons.MembersNotReady, $"{readyMembers} of {desired} members are ready.");
        }
        else if (assignment is null)
        {
            Set(ConditionTypes.Ready, false, Reasons.NoAssignment, $"All {desired} members are ready; waiting for the leader agent to publish the partition assignment.");
        }
        else
        {
            Set(ConditionTypes.Ready, true, Reasons.MembersReady, $"All {desired} members are ready and the partition assignment is published.");
        }

        // An invalid spec is not applied, so nothing is in progress; a cluster it leaves short of
        // ready members is degraded at once rather than after waiting for members that never come.
        var invalid = input.Problems.Count > 0;
        var progress = invalid ? null : Progress(input, desired, allReady, draining.Count > 0, previous, assignment is not null, leaseDuration);
        if (invalid)
        {
            Set(ConditionTypes.Progressing, false, Reasons.InvalidSpec, "Nothing is changed until the spec is valid again (see the Valid condition).");
        }
        else if (progress is var (reason, message))
        {
            Set(ConditionTypes.Progressing, true, reason, message);
        }
        else
        {
            Set(ConditionTypes.Progressing, false, Reasons.Stable, "The cluster matches its spec.");
        }

        if (!allReady && invalid)
        {
            Set(ConditionTypes.Degraded, true, Reasons.InvalidSpec, $"Only {readyMembers} of {desired} members are ready and the spec is invalid, so none are being added (see the Valid condition).");
        }
        else if (!allReady && progress is null)
        {
            Set(ConditionTypes.Degraded, true, Reasons.MembersNotReady, $"Only {readyMembers} of {desired} members are ready; not ready: {string.Join(", ", notReady)}.");
        }
        else
        {
            Set(ConditionTypes.Degraded, false, allReady ? Reasons.MembersReady : Reasons.Progressing,
                allReady ? "Every desired member is ready." : "Members are not all ready while the cluster is progressing.");
        }

        if (input.Problems.Count == 0 && input.IgnoredChanges.Count > 0)
        {
            Set(ConditionTypes.Valid, true, Reasons.ChangesIgnored, string.Join(" ", input.IgnoredChanges));
        }
        else if (input.Problems.Count == 0)
        {
            Set(ConditionTypes.Valid, true, Reasons.SpecValid, "The spec is valid.");
        }
        else
        {
            Set(ConditionTypes.Valid, false, Reasons.InvalidSpec, string.Join(" ", input.Problems.Select(p => p.Message)));
        }

        var drainStalled = false;
        if (draining.Count > 0)
        {
            var held = draining.Sum(m => assignment?.Replicas.GetValueOrDefault(m.PodName) ?? 0);
            var deadline = TimeSpan.FromSeconds(spec.ScaleDown.DrainDeadlineSeconds);
            drainStalled = (input.LastDrainProgress ?? input.Drain?.LastProgressAt) is { } progressAt && now - progressAt >= deadline;
            var names = string.Join(", ", draining.Select(m => m.PodName));
            Set(ConditionTypes.Rebalancing, true, drainStalled ? Reasons.DrainStalled : Reasons.Draining, drainStalled
                ? $"Draining {names} ({held} partition replicas left to move) has made no progress for {spec.ScaleDown.DrainDeadlineSeconds}s: check that the remaining members are ready and that the leader agent is running."
                : $"Draining {names} ({held} partition replicas left to move).");
        }
        else
        {
            Set(ConditionTypes.Rebalancing, false, Reasons.NoDrain, "No member is being drained.");
        }

        // Reconciling and Stalled restate the conditions above for kstatus (docs/gitops.md). Stalled
        // is whatever needs the user: kstatus reports it as Failed, so a GitOps tool stops waiting
        // and says why. Never both True, as kstatus would take whichever comes first.
        string Message(string type) => Conditions.Find(conditions, type)?.Message ?? "";
        (string Reason, string Message)? stall =
            invalid ? (Reasons.InvalidSpec, Message(ConditionTypes.Valid))
            : input.IgnoredChanges.Count > 0 ? (Reasons.ChangesIgnored, Message(ConditionTypes.Valid))
            : drainStalled ? (Reasons.DrainStalled, Message(ConditionTypes.Rebalancing))
            : Conditions.IsTrue(conditions, ConditionTypes.Degraded) ? (Reasons.MembersNotReady, Message(ConditionTypes.Degraded))
            : null;
        (string Reason, string Message)? reconciling =
            stall is not null ? null
            : progress ?? (allReady && assignment is null ? (Reasons.NoAssignment, Message(ConditionTypes.Ready)) : null);
        if (stall is var (stallReason, stallMessage))
        {
            Set(ConditionTypes.Reconciling, false, Reasons.Stalled, "Not reconciling until the Stalled condition is resolved.");
            Set(ConditionTypes.Stalled, true, stallReason, stallMessage);
        }
        else
        {
            Set(ConditionTypes.Reconciling, reconciling is not null, reconciling?.Reason ?? Reasons.Stable, reconciling?.Message ?? "The cluster matches its spec.");
            Set(ConditionTypes.Stalled, false, Reasons.NotStalled, "Nothing that needs a change by the user keeps the cluster from its spec.");
        }

        status.Conditions = Ordered(conditions);
        return status;
    }

    /// <summary>Why the cluster is progressing, or null when it is not.</summary>
    private static (string Reason, string Message)? Progress(
        StatusInput input, int desired, bool allReady, bool draining, DataClusterStatus? previous, bool assignmentPublished, int leaseDuration)
    {
        if (input.StatefulSet is not { } statefulSet)
        {
            return (Reasons.Creating, "Creating the members' StatefulSet.");
        }

        var observed = statefulSet.Status;
        var target = statefulSet.Spec.Replicas ?? 1;
        var seen = statefulSet.Metadata.Generation is not { } generation || observed?.ObservedGeneration >= generation;
        var revisionsDiffer = observed?.UpdateRevision is { } update && observed.CurrentRevision is { } current && update != current;
        if (!seen || revisionsDiffer || (observed?.UpdatedReplicas ?? observed?.Replicas ?? 0) < (observed?.Replicas ?? 0))
        {
            return (Reasons.RollingUpdate, $"Updating members to the current template ({observed?.UpdatedReplicas ?? 0} of {target} updated).");
        }

        if ((observed?.Replicas ?? 0) != target || target != desired)
        {
            return (Reasons.Scaling, $"Scaling from {observed?.Replicas ?? 0} to {desired} members.");
        }

        if (draining)
        {
            return (Reasons.Draining, "Draining members before they are removed.");
        }

        if (!allReady)
        {
            // Counted from when the cluster stopped being ready, as recorded by the Ready condition.
            var readyCondition = Conditions.Find(previous?.Conditions, ConditionTypes.Ready);
            var since = readyCondition?.Status == ConditionStatuses.False ? readyCondition.LastTransitionTime ?? input.Now : input.Now;
            var formed = assignmentPublished || (previous?.AssignmentEpoch ?? 0) > 0;
            var grace = formed ? TimeSpan.FromSeconds(leaseDuration) : StartupGrace;
            if (input.Now - since < grace)
            {
                return (Reasons.MembersStarting, "Waiting for members to become ready.");
            }
        }

        return null;
    }

    private static MemberStatus Member(MemberFacts member, bool live, bool leaseFresh, AssignmentSummary? assignment) => new()
    {
        Name = member.PodName,
        Ordinal = member.Ordinal,
        Ready = live,
        Zone = member.Zone,
        Draining = member.Draining,
        // Only once the Lease has expired, when the time stops moving: a renewing member renews
        // every few seconds, and recording each renewal would rewrite the status just as often.
        LeaseRenewTime = leaseFresh ? null : (member.ReportedRenewTime ?? member.LeaseRenewTime) is { } renewed ? Conditions.TruncateToSeconds(renewed) : null,
        Replicas = assignment?.Replicas.GetValueOrDefault(member.PodName) ?? 0,
        Leads = assignment?.Leads.GetValueOrDefault(member.PodName) ?? 0,
    };

    private static string? LeaderOf(Lease? lease, DateTimeOffset now, int defaultDuration)
    {
        var spec = lease?.Spec;
        return spec is { HolderIdentity: { Length: > 0 } holder, RenewTime: { } renewed }
            && now < renewed.AddSeconds(spec.LeaseDurationSeconds ?? defaultDuration)
            ? holder
            : null;
    }

    private static List<Condition> Ordered(List<Condition> conditions) =>
    [
        .. ConditionTypes.All.Select(type => conditions.First(c => c.Type == type)),
        .. conditions.Where(c => !ConditionTypes.All.Contains(c.Type)),
    ];

    private static string Truncate(string message) =>
        message.Length <= MaxMessageLength ? message : message[..(MaxMessageLength - 3)] + "...";
}
