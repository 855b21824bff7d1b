using System.Globalization;
using System.Text.Json;
using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Controllers;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using Microsoft.Extensions.Logging;

namespace DataCluster.Operator.Controllers;

/// <summary>The StatefulSet: its replicas (scale-down drains first), immutable fields and creation.</summary>
public sealed partial class DataClusterReconciler
{
    /// <summary>The StatefulSet after this reconcile and the drain still in progress (null when none).</summary>
    private sealed record ScaleOutcome(StatefulSet? StatefulSet, DrainStatus? Drain);

    /// <summary>
    /// Scale-up takes effect at once (the new members' Leases already exist). Scale-down first
    /// publishes the highest ordinals as draining (the ring slice did that), keeps the StatefulSet
    /// at its size until an assignment computed after that shows they hold no partition replica,
    /// and only then shrinks it. With no assignment ever published, nothing can be lost, so it
    /// shrinks at once.
    /// </summary>
    /// <param name="context">The reconcile so far.</param>
    /// <param name="ring">The ring slice as published by this reconcile.</param>
    /// <param name="built">The StatefulSet built from the spec; this sets its replicas and keeps the live one's immutable fields in it.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    private async Task<ScaleOutcome> ScaleAsync(ClusterContext context, RingSlice ring, StatefulSet built, CancellationToken cancellationToken)
    {
        var live = context.StatefulSet;
        var desired = context.Defaulted.Spec.Replicas;
        var current = live?.Spec.Replicas ?? desired;
        var target = desired;
        DrainStatus? drain = null;
        if (live is not null && current > desired)
        {
            (drain, var canShrink) = await DrainAsync(context, ring, current, desired, cancellationToken).ConfigureAwait(false);
            target = canShrink ? desired : current;
        }

        built.Spec.Replicas = target;
        if (live is not null)
        {
            await KeepImmutableFieldsAsync(context, built, live, cancellationToken).ConfigureAwait(false);
        }

        var ensured = await EnsureOwnedAsync(context, KubeResources.StatefulSets, built, live, null, cancellationToken).ConfigureAwait(false);
        if (ensured.Result != EnsureResult.Applied)
        {
            return new ScaleOutcome(ensured.Result == EnsureResult.Blocked ? null : live, drain);
        }

        if (live is null)
        {
            await _events.RecordAsync(context.Reference, EventTypes.Normal, EventReasons.Created,
                $"Created StatefulSet {built.Metadata.Name} with {target} members.", cancellationToken).ConfigureAwait(false);
        }
        else if (target != current)
        {
            _logger.Scaled(context.Namespace, context.Name, current, target);
            var (reason, message) = target > current
                ? (EventReasons.ScaledUp, $"Scaled the StatefulSet from {current} to {target} members.")
                : (EventReasons.ScaledDown, $"Drained {string.Join(", ", drain?.Members ?? [])}; scaled the StatefulSet from {current} to {target} members.");
            await _events.RecordAsync(context.Reference, EventTypes.Normal, reason, message, cancellationToken).ConfigureAwait(false);
            if (target < current)
            {
                drain = null;
            }
        }

        return new ScaleOutcome(ensured.Object, drain);
    }

    /// <summary>The drain bookkeeping for ordinals [desired, current), and whether the StatefulSet may shrink now.</summary>
    private async Task<(DrainStatus Drain, bool CanShrink)> DrainAsync(ClusterContext context, RingSlice ring, int current, int desired, CancellationToken cancellationToken)
    {
        var now = Conditions.TruncateToSeconds(context.Now);
        var members = Enumerable.Range(desired, current - desired).Select(o => ObjectNames.Pod(context.Name, o)).ToList();
        var previous = context.Cluster.Status?.Drain;
        DrainStatus drain;
        if (previous?.Members is { } was && was.SequenceEqual(members, StringComparer.Ordinal))
        {
            drain = Copy(previous);
        }
        else
        {
            // This reconcile's slice is the first to mark exactly these members as draining.
            drain = new DrainStatus { Members = members, MembershipEpoch = ring.Epoch, StartedAt = now, LastProgressAt = now, ReplicasLeft = -1 };
            await _events.RecordAsync(context.Reference, EventTypes.Normal, EventReasons.Draining,
                $"Draining {string.Join(", ", members)} before scaling from {current} to {desired} members: their partitions move to the remaining members first.",
                cancellationToken).ConfigureAwait(false);
        }

        var assignment = context.Assignment;
        if (!assignment.HasData)
        {
            return (drain, true);
        }

        if (assignment.Value is null || assignment.MembershipEpoch is null)
        {
            await _events.RecordOnceAsync(context.Reference, EventTypes.Warning, EventReasons.AssignmentUnreadable,
                $"The assignment in ConfigMap {ObjectNames.AssignmentConfigMap(context.Name)} cannot be read ({assignment.Error}), so the drain of {string.Join(", ", members)} cannot be confirmed and the StatefulSet keeps them: check the leader agent's version and logs.",
                cancellationToken).ConfigureAwait(false);
            return (drain, false);
        }

        _events.Forget(context.Uid, EventReasons.AssignmentUnreadable);
        var held = assignment.ReplicasHeldBy(members, drain.MembershipEpoch);
        if (held is { } left)
        {
            if (drain.ReplicasLeft >= 0 && left < drain.ReplicasLeft)
            {
                drain.LastProgressAt = now;
            }

            drain.ReplicasLeft = left;
        }

        if (held != 0)
        {
            _logger.WaitingForDrain(context.Namespace, context.Name, string.Join(", ", members),
                held?.ToString(CultureInfo.InvariantCulture) ?? "unknown", assignment.MembershipEpoch.Value.ToString(CultureInfo.InvariantCulture), drain.MembershipEpoch);
        }

        return (drain, held == 0);
    }

    /// <summary>
    /// selector, serviceName, podManagementPolicy and volumeClaimTemplates cannot change in a
    /// StatefulSet. Where the built one differs from the live one, the live value is kept (so the
    /// rest of the spec still applies) and the ignored change is reported once as a Warning Event
    /// and in the Valid condition.
    /// </summary>
    private async Task KeepImmutableFieldsAsync(ClusterContext context, StatefulSet built, StatefulSet live, CancellationToken cancellationToken)
    {
        var json = KubeJsonContext.Default;
        var ignored = new List<string>();
        if (!SemanticEquality.IsSubset(built.Spec.Selector, live.Spec.Selector, json.LabelSelector))
        {
            built.Spec.Selector = Clone(live.Spec.Selector, json.LabelSelector);
            ignored.Add($"The StatefulSet {live.Metadata.Name} has a pod selector this operator version would not build, and a selector cannot change: the existing one is kept. To adopt the new one, delete the StatefulSet with --cascade=orphan; the operator creates it again and the pods carry over.");
        }

        if (built.Spec.ServiceName != live.Spec.ServiceName)
        {
            built.Spec.ServiceName = live.Spec.ServiceName;
            ignored.Add($"The StatefulSet {live.Metadata.Name} is governed by Service '{live.Spec.ServiceName}' rather than '{ObjectNames.PeerService(context.Name)}', and that cannot change: the existing one is kept.");
        }

        if ((live.Spec.PodManagementPolicy ?? "OrderedReady") != built.Spec.PodManagementPolicy)
        {
            built.Spec.PodManagementPolicy = live.Spec.PodManagementPolicy;
            ignored.Add($"The StatefulSet {live.Metadata.Name} starts pods {live.Spec.PodManagementPolicy ?? "OrderedReady"} rather than Parallel, and that cannot change: the existing policy is kept.");
        }

        var claims = json.ListPersistentVolumeClaim;
        if (!SemanticEquality.IsSubset(built.Spec.VolumeClaimTemplates ?? [], live.Spec.VolumeClaimTemplates ?? [], claims))
        {
            var wanted = Describe(built.Spec.VolumeClaimTemplates);
            var have = Describe(live.Spec.VolumeClaimTemplates);
            built.Spec.VolumeClaimTemplates = live.Spec.VolumeClaimTemplates is null ? null : Clone(live.Spec.VolumeClaimTemplates, claims);
            ignored.Add($"spec.storage asks for volumes of {wanted}, but the members' volumes were created with {have} and a StatefulSet's volume claims cannot change: the change is ignored. Set spec.storage back to {have}, or create a new DataCluster with the new storage and move the data.");
        }

        foreach (var message in ignored)
        {
            context.IgnoredChanges.Add(message);
            _logger.ChangeIgnored(context.Namespace, context.Name, message);
            await _events.RecordOnceAsync(context.Reference, EventTypes.Warning, EventReasons.ChangeIgnored, message, cancellationToken).ConfigureAwait(false);
        }

        if (ignored.Count == 0)
        {
            _events.Forget(context.Uid, EventReasons.ChangeIgnored);
        }
    }

    private static string Describe(List<PersistentVolumeClaim>? templates)
    {
        var claim = templates?.FirstOrDefault(t => t?.Metadata.Name == AgentPaths.DataVolume) ?? templates?.FirstOrDefault();
        if (claim is null)
        {
            return "no volume";
        }

        var size = claim.Spec.Resources?.Requests?.GetValueOrDefault("storage") ?? "(unset)";
        return claim.Spec.StorageClassName is { Length: > 0 } storageClass ? $"size {size}, storageClassName {storageClass}" : $"size {size} in the default storage class";
    }

    private static T Clone<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.SerializeToElement(value, typeInfo).Deserialize(typeInfo)!;

    private static DrainStatus Copy(DrainStatus drain) =>
        JsonSerializer.SerializeToElement(drain, OperatorJsonContext.Default.DrainStatus).Deserialize(OperatorJsonContext.Default.DrainStatus)!;
}
