using DataCluster.Kube.Models;

namespace DataCluster.Operator.Api;

/// <summary>The condition types of a DataCluster.</summary>
public static class ConditionTypes
{
    /// <summary>Every desired member is ready and an assignment has been published.</summary>
    public const string Ready = "Ready";

    /// <summary>The cluster is moving toward its spec: creating, rolling, scaling or waiting for members to start.</summary>
    public const string Progressing = "Progressing";

    /// <summary>Fewer members are ready than desired although nothing is in progress.</summary>
    public const string Degraded = "Degraded";

    /// <summary>The spec can be reconciled; False lists what to fix.</summary>
    public const string Valid = "Valid";

    /// <summary>Members are being drained and their partitions moved.</summary>
    public const string Rebalancing = "Rebalancing";

    /// <summary>
    /// kstatus' abnormal-true "Reconciling" (read by Flux, kpt and cli-utils): True while the
    /// cluster is moving toward its spec and nothing stops it. Restates the conditions above; see
    /// docs/gitops.md.
    /// </summary>
    public const string Reconciling = "Reconciling";

    /// <summary>
    /// kstatus' abnormal-true "Stalled": True when the cluster cannot reach its spec without a
    /// change by the user (invalid spec, ignored changes, a stalled drain, missing members).
    /// Never True together with <see cref="Reconciling"/>.
    /// </summary>
    public const string Stalled = "Stalled";

    /// <summary>In the order the status lists them.</summary>
    public static readonly IReadOnlyList<string> All = [Ready, Progressing, Degraded, Valid, Rebalancing, Reconciling, Stalled];
}

/// <summary>Values of a condition's status.</summary>
public static class ConditionStatuses
{
    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";
}

/// <summary>A condition whose status or reason changed between two statuses; the reconciler turns these into Events.</summary>
/// <param name="Type">The condition type.</param>
/// <param name="From">The old status, null when the condition is new.</param>
/// <param name="FromReason">The old reason, null when the condition is new.</param>
/// <param name="Current">The condition now.</param>
public sealed record ConditionChange(string Type, string? From, string? FromReason, Condition Current);

/// <summary>
/// Helpers for lists of metav1.Condition following the Kubernetes API conventions: one entry per
/// type, and lastTransitionTime changes only when the status does.
/// </summary>
public static class Conditions
{
    /// <summary>The condition of <paramref name="type"/>, or null.</summary>
    public static Condition? Find(IEnumerable<Condition>? conditions, string type) =>
        conditions?.FirstOrDefault(c => c?.Type == type);

    /// <summary>True when the condition exists and its status is True.</summary>
    public static bool IsTrue(IEnumerable<Condition>? conditions, string type) =>
        Find(conditions, type)?.Status == ConditionStatuses.True;

    /// <summary>
    /// Sets the condition of <paramref name="type"/>, replacing an existing one in place or
    /// appending. lastTransitionTime is kept when the status is unchanged and is
    /// <paramref name="now"/> (truncated to seconds, the precision of metav1.Time) otherwise.
    /// </summary>
    /// <returns>True when anything about the condition changed.</returns>
    public static bool Set(
        List<Condition> conditions,
        string type,
        string status,
        string reason,
        string message,
        long? observedGeneration,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        var index = conditions.FindIndex(c => c?.Type == type);
        var existing = index >= 0 ? conditions[index] : null;
        var transitioned = existing is null || existing.Status != status || existing.LastTransitionTime is null;
        var updated = new Condition
        {
            Type = type,
            Status = status,
            Reason = reason,
            Message = message,
            ObservedGeneration = observedGeneration,
            LastTransitionTime = transitioned ? TruncateToSeconds(now) : existing!.LastTransitionTime,
        };

        if (existing is not null
            && !transitioned
            && existing.Reason == reason
            && existing.Message == message
            && existing.ObservedGeneration == observedGeneration)
        {
            return false;
        }

        if (index >= 0)
        {
            conditions[index] = updated;
        }
        else
        {
            conditions.Add(updated);
        }

        return true;
    }

    /// <summary>
    /// The conditions of <paramref name="after"/> whose status or reason differs from
    /// <paramref name="before"/>, in the order of <paramref name="after"/>. Message-only changes
    /// are left out: messages carry counts that move while a change is in progress.
    /// </summary>
    public static IReadOnlyList<ConditionChange> Changes(IEnumerable<Condition>? before, IEnumerable<Condition>? after)
    {
        var changes = new List<ConditionChange>();
        foreach (var condition in after ?? [])
        {
            var old = Find(before, condition.Type);
            if (old?.Status != condition.Status || old.Reason != condition.Reason)
            {
                changes.Add(new ConditionChange(condition.Type, old?.Status, old?.Reason, condition));
            }
        }

        return changes;
    }

    /// <summary>metav1.Time has whole seconds on the wire; truncating keeps a read-back equal to what was written.</summary>
    public static DateTimeOffset TruncateToSeconds(DateTimeOffset time) =>
        new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), time.Offset);
}
