using System.Text.Json;
using DataCluster.Kube.Controllers;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using Microsoft.Extensions.Logging;

namespace DataCluster.Operator.Controllers;

/// <summary>Status, the Events of condition transitions, and when to look again.</summary>
public sealed partial class DataClusterReconciler
{
    /// <summary>
    /// Computes the status and writes the status subresource only when it differs from the live
    /// one (the status holds nothing that moves with heartbeats, so a steady cluster writes
    /// nothing). The write carries the cached resourceVersion: if the object changed meanwhile
    /// the write fails with a conflict and the retry computes from the newer object.
    /// </summary>
    /// <param name="context">This reconcile.</param>
    /// <param name="input">The facts.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The status now in effect.</returns>
    private async Task<DataClusterStatus> WriteStatusAsync(ClusterContext context, StatusInput input, CancellationToken cancellationToken)
    {
        var status = StatusBuilder.Build(input);

        var before = context.Cluster.Status;
        if (Same(status, before))
        {
            return status;
        }

        var updated = JsonSerializer.SerializeToElement(context.Cluster, OperatorJsonContext.Default.DataCluster).Deserialize(OperatorJsonContext.Default.DataCluster)!;
        updated.Status = status;
        // Tolerant: the answer carries the spec, which may be the malformed one being reported.
        await _statusWriter.UpdateStatusAsync(DataClusterResource.Tolerant, updated, cancellationToken).ConfigureAwait(false);
        _logger.StatusUpdated(context.Namespace, context.Name, status.MembersReady ?? "", status.MembershipEpoch);
        await RecordTransitionsAsync(context, before?.Conditions, status.Conditions, cancellationToken).ConfigureAwait(false);
        return status;
    }

    private static bool Same(DataClusterStatus computed, DataClusterStatus? live) =>
        live is not null
        && JsonSerializer.Serialize(computed, OperatorJsonContext.Default.DataClusterStatus) == JsonSerializer.Serialize(live, OperatorJsonContext.Default.DataClusterStatus);

    /// <summary>Events for the condition transitions users care about; progress alone is not one.</summary>
    private async Task RecordTransitionsAsync(ClusterContext context, IEnumerable<Condition>? before, IEnumerable<Condition>? after, CancellationToken cancellationToken)
    {
        foreach (var change in Api.Conditions.Changes(before, after))
        {
            var condition = change.Current;
            var message = condition.Message ?? "";
            var isTrue = condition.Status == ConditionStatuses.True;
            var wasTrue = change.From == ConditionStatuses.True;
            (string Type, string Reason)? @event = change.Type switch
            {
                ConditionTypes.Ready when isTrue => (EventTypes.Normal, EventReasons.Ready),
                ConditionTypes.Ready when wasTrue => (EventTypes.Warning, EventReasons.NotReady),
                ConditionTypes.Degraded when isTrue => (EventTypes.Warning, EventReasons.Degraded),
                ConditionTypes.Degraded when wasTrue => (EventTypes.Normal, EventReasons.Recovered),
                ConditionTypes.Rebalancing when condition.Reason == StatusBuilder.Reasons.DrainStalled => (EventTypes.Warning, EventReasons.DrainStalled),
                ConditionTypes.Valid when isTrue && change.From == ConditionStatuses.False => (EventTypes.Normal, EventReasons.SpecValid),
                _ => null,
            };

            if (@event is { } e)
            {
                await _events.RecordAsync(context.Reference, e.Type, e.Reason, message, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// When the status would change with no event at all: a fresh Lease (member or leader)
    /// expiring, a drain reaching its deadline, a not-ready cluster's grace running out, a pod
    /// template that admission refused due to be asked about again. The earliest of these, or none.
    /// </summary>
    private ReconcileResult NextLook(ClusterContext context, DataClusterStatus status, DateTimeOffset? nextLeaseExpiry, DrainStatus? drain)
    {
        var now = context.Now;
        var spec = context.Defaulted.Spec;
        var duration = spec.Agent.LeaseDurationSeconds;
        var times = new List<DateTimeOffset>();
        if (nextLeaseExpiry is { } expiry)
        {
            times.Add(expiry);
        }

        times.AddRange(context.Facts.Select(f => f.LeaseExpiry(duration)).OfType<DateTimeOffset>());
        if (ObservedLeaderLease(context)?.Spec is { RenewTime: { } renewed } leader)
        {
            times.Add(renewed.AddSeconds(leader.LeaseDurationSeconds ?? duration));
        }

        if (drain?.LastProgressAt is { } progress)
        {
            times.Add(progress.AddSeconds(spec.ScaleDown.DrainDeadlineSeconds));
        }

        if (Api.Conditions.Find(status.Conditions, ConditionTypes.Ready) is { Status: ConditionStatuses.False, LastTransitionTime: { } since })
        {
            times.Add(since + StatusBuilder.StartupGrace);
            times.Add(since.AddSeconds(duration));
        }

        if (context.WaitingForCollector)
        {
            times.Add(now + WaitForCollector);
        }

        if (context.TemplateRecheckAt is { } recheck)
        {
            times.Add(recheck);
        }

        var next = times.Where(t => t > now).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
        return next == DateTimeOffset.MaxValue ? ReconcileResult.Done : ReconcileResult.After(next - now + ExpiryMargin);
    }
}
