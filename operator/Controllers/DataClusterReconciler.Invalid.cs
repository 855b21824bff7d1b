using DataCluster.Contracts;
using DataCluster.Kube.Controllers;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using Microsoft.Extensions.Logging;

namespace DataCluster.Operator.Controllers;

/// <summary>A spec that cannot be reconciled.</summary>
public sealed partial class DataClusterReconciler
{
    /// <summary>
    /// Reports the problems (Valid=False with every fix-it message, and one Warning Event per
    /// distinct message, recorded once) and changes nothing else: the cluster keeps running as it
    /// is until the spec is valid again. Status still shows the members as observed.
    /// </summary>
    private async Task<ReconcileResult> ReconcileInvalidAsync(ClusterContext context, IReadOnlyList<ValidationProblem> problems, CancellationToken cancellationToken)
    {
        _logger.Invalid(context.Namespace, context.Name, string.Join(" ", problems.Select(p => p.Message)));
        foreach (var message in problems.Select(p => p.Message).Distinct(StringComparer.Ordinal))
        {
            await _events.RecordOnceAsync(context.Reference, EventTypes.Warning, EventReasons.InvalidSpec, message, cancellationToken).ConfigureAwait(false);
        }

        // Members keep the draining marks they had: nothing moves while the spec is invalid.
        var previousDrain = context.Cluster.Status?.Drain;
        var draining = previousDrain?.Members?.Select(m => ObjectNames.OrdinalOf(context.Name, m)).Where(o => o >= 0).DefaultIfEmpty(int.MaxValue).Min() ?? int.MaxValue;
        context.Facts = MemberFactsOf(context, draining);
        var slice = _caches.EndpointSlices.Get(context.Namespace, ObjectNames.RingEndpointSlice(context.Name));
        var status = await WriteStatusAsync(context, new StatusInput
        {
            Cluster = context.Defaulted,
            StatefulSet = context.StatefulSet,
            Members = context.Facts,
            MembershipEpoch = RingEndpointSliceBuilder.EpochOf(slice) ?? context.Cluster.Status?.MembershipEpoch ?? 0,
            Assignment = context.Assignment.Summary,
            LeaderLease = ObservedLeaderLease(context),
            Problems = problems,
            Drain = previousDrain,
            Now = context.Now,
        }, cancellationToken).ConfigureAwait(false);
        return NextLook(context, status, nextLeaseExpiry: null, previousDrain);
    }
}
