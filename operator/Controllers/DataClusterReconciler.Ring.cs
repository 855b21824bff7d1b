using DataCluster.Contracts;
using DataCluster.Kube.Models;
using DataCluster.Operator.Builders;
using Microsoft.Extensions.Logging;

namespace DataCluster.Operator.Controllers;

/// <summary>Member facts and the ring EndpointSlice.</summary>
public sealed partial class DataClusterReconciler
{
    /// <summary>
    /// Endpoint conditions a server may drop: 1.20 keeps serving and terminating only with the
    /// EndpointSliceTerminatingCondition feature gate. Their absence is no reason to write.
    /// </summary>
    private static readonly HashSet<string> SliceDroppable = new(StringComparer.Ordinal)
    {
        "endpoints[].conditions.serving",
        "endpoints[].conditions.terminating",
    };

    /// <summary>On discovery.k8s.io/v1 also deprecatedTopology, which that version ignores on write.</summary>
    private static readonly HashSet<string> SliceDroppableV1 = new(SliceDroppable, StringComparer.Ordinal)
    {
        "endpoints[].deprecatedTopology",
    };

    /// <summary>
    /// Builds the member facts (members from <paramref name="drainFrom"/> on are draining) and
    /// writes the ring EndpointSlice when it differs.
    /// </summary>
    private async Task<RingSlice> PublishRingAsync(ClusterContext context, CancellationToken cancellationToken)
    {
        context.Facts = MemberFactsOf(context, drainFrom: context.Defaulted.Spec.Replicas);
        var slices = _caches.EndpointSliceType;
        var keepsTopology = slices.Version != "v1";
        // The caches answer with the slice this process last wrote while the informer lags
        // behind that write: building on an older one could publish a second, different
        // membership under the same epoch.
        var previous = _caches.EndpointSlices.Get(context.Namespace, ObjectNames.RingEndpointSlice(context.Name));
        var ring = RingEndpointSliceBuilder.Build(context.Defaulted, context.Facts, previous, context.Cluster.Status?.MembershipEpoch ?? 0, context.Now, keepsTopology);

        // addressType is immutable; it can only change while the slice has no endpoints (the
        // first member's address decides it), so recreating loses nothing.
        if (previous is not null && previous.AddressType != ring.Slice.AddressType && ObjectApplier.IsOwnedBy(previous, context.Uid))
        {
            _logger.RecreatingSlice(context.Namespace, context.Name, previous.AddressType, ring.Slice.AddressType);
            await Kube.Client.KubeReaderExtensions.DeleteIfExistsAsync(_writer, slices, context.Namespace, previous.Metadata.Name!, null, cancellationToken).ConfigureAwait(false);
            previous = null;
        }

        var ensured = await EnsureOwnedAsync(context, slices, ring.Slice, previous, keepsTopology ? SliceDroppable : SliceDroppableV1, cancellationToken).ConfigureAwait(false);
        if (ensured.Result == EnsureResult.Applied)
        {
            _logger.RingPublished(context.Namespace, context.Name, ring.Epoch, ring.Slice.Endpoints.Count(e => e.Conditions?.Ready == true), ring.Slice.Endpoints.Count);
        }

        return ring;
    }

    /// <summary>What the caches say about each member pod: readiness, address, node, zone and region, and its Lease.</summary>
    private List<MemberFacts> MemberFactsOf(ClusterContext context, int drainFrom)
    {
        var topology = context.Defaulted.Spec.Topology;
        var facts = new List<MemberFacts>(context.Pods.Count);
        foreach (var pod in context.Pods)
        {
            var podName = pod.Metadata.Name!;
            var ordinal = ObjectNames.OrdinalOf(context.Name, podName);
            var nodeName = string.IsNullOrEmpty(pod.Spec.NodeName) ? null : pod.Spec.NodeName;
            var nodeLabels = nodeName is null ? null : _caches.Nodes.Get(null, nodeName)?.Metadata.Labels;
            var lease = _caches.Leases.Get(context.Namespace, ObjectNames.MemberLease(context.Name, ordinal));

            // A pod being deleted is on its way out whatever its last Ready condition says.
            var ready = pod.Metadata.DeletionTimestamp is null
                && pod.Status?.Conditions?.Any(c => c?.Type == "Ready" && c.Status == "True") == true;
            facts.Add(new MemberFacts(
                podName,
                ordinal,
                pod.Metadata.Uid ?? "",
                string.IsNullOrEmpty(pod.Status?.PodIp) ? null : pod.Status.PodIp,
                nodeName,
                nodeLabels?.GetValueOrDefault(topology.ZoneLabel),
                ready,
                lease is null ? null : _leases.ObservedRenewTime(lease),
                lease?.Spec.LeaseDurationSeconds,
                ordinal >= drainFrom)
            {
                Region = nodeLabels?.GetValueOrDefault(topology.RegionLabel),
                ReportedRenewTime = lease?.Spec.RenewTime,
            });
        }

        return facts;
    }

    /// <summary>The leader Lease with its renewTime replaced by when this process observed it, for a skew-free freshness check.</summary>
    private Lease? ObservedLeaderLease(ClusterContext context)
    {
        var lease = _caches.Leases.Get(context.Namespace, ObjectNames.LeaderLease(context.Name));
        if (lease is null)
        {
            return null;
        }

        return new Lease
        {
            Metadata = lease.Metadata,
            Spec = new LeaseSpec
            {
                HolderIdentity = lease.Spec.HolderIdentity,
                LeaseDurationSeconds = lease.Spec.LeaseDurationSeconds,
                RenewTime = _leases.ObservedRenewTime(lease),
            },
        };
    }
}
