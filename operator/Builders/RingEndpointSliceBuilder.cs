using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DataCluster.Contracts;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;

namespace DataCluster.Operator.Builders;

/// <summary>The result of <see cref="RingEndpointSliceBuilder.Build"/>.</summary>
/// <param name="Slice">The desired EndpointSlice NAME-ring.</param>
/// <param name="Epoch">Its membership epoch, also written to its annotation and to status.membershipEpoch.</param>
/// <param name="MembershipChanged">The membership differs from the previous slice's (so <paramref name="Epoch"/> moved on).</param>
/// <param name="NextLeaseExpiry">
/// The earliest time a member now counted live would turn not-ready if its Lease is not renewed;
/// the reconciler should look again then. Null when no member is live.
/// </param>
public sealed record RingSlice(EndpointSlice Slice, long Epoch, bool MembershipChanged, DateTimeOffset? NextLeaseExpiry);

/// <summary>
/// The operator-managed EndpointSlice that publishes ring membership: one endpoint per member
/// pod that has an IP, sorted by ordinal, with conditions derived from pod readiness, Lease
/// freshness and draining, and a membership epoch that increases exactly when membership changes.
/// </summary>
public static class RingEndpointSliceBuilder
{
    public const string IPv4 = "IPv4";
    public const string IPv6 = "IPv6";

    /// <summary>
    /// The deprecatedTopology key (v1beta1: topology) that carries the member's region, so agents
    /// can place replicas in other regions. The well-known node label's name, as v1beta1 used
    /// node label names for its topology keys.
    /// </summary>
    public const string RegionKey = "topology.kubernetes.io/region";

    /// <summary>
    /// Builds the desired slice. Endpoint conditions: <c>serving</c> = pod ready and Lease fresh;
    /// <c>ready</c> = serving and not draining; <c>terminating</c> = draining.
    /// </summary>
    /// <param name="cluster">The DataCluster.</param>
    /// <param name="members">Observed member facts, in any order.</param>
    /// <param name="previous">The slice as it is on the server, or null when there is none.</param>
    /// <param name="recordedEpoch">status.membershipEpoch, so the epoch never goes back even if the slice was deleted.</param>
    /// <param name="now">The current time, for Lease freshness.</param>
    /// <param name="serverKeepsTopology">
    /// Whether the server stores deprecatedTopology: true for discovery.k8s.io/v1beta1 (where it
    /// is the topology map), false for v1, which silently drops writes to it. When false, a
    /// previous slice without it is not a membership change.
    /// </param>
    /// <remarks>
    /// <para>
    /// The epoch is the previous one when the membership is unchanged, else one more than the
    /// larger of the previous slice's epoch and <paramref name="recordedEpoch"/>. A previous slice
    /// without a readable epoch, or one behind the recorded epoch, counts as changed.
    /// </para>
    /// <para>
    /// Membership is compared on what every server keeps: a 1.20 server drops the
    /// <c>serving</c> and <c>terminating</c> conditions, so a missing <c>serving</c> matches
    /// anything and a missing <c>terminating</c> is read from the draining annotation. Otherwise
    /// the epoch would increase on every reconcile.
    /// </para>
    /// <para>
    /// addressType is immutable. When the result's differs from <paramref name="previous"/>'s
    /// (only possible while the previous slice had no endpoints), the slice must be recreated.
    /// </para>
    /// </remarks>
    public static RingSlice Build(
        DefaultedCluster cluster,
        IReadOnlyList<MemberFacts> members,
        EndpointSlice? previous,
        long recordedEpoch,
        DateTimeOffset now,
        bool serverKeepsTopology = true)
    {
        ArgumentNullException.ThrowIfNull(members);
        var name = Owner.ClusterName(cluster);
        var leaseDuration = cluster.Spec.Agent.LeaseDurationSeconds;

        var ordered = members
            .Where(m => m is not null)
            .OrderBy(m => m.Ordinal)
            .ThenBy(m => m.PodName, StringComparer.Ordinal)
            .DistinctBy(m => m.PodName)
            .Select(m => (Member: m, Address: Parse(m.PodIp)))
            .Where(m => m.Address is not null)
            .ToList();

        var addressType = ordered.Count > 0 ? FamilyOf(ordered[0].Address!) : previous?.AddressType ?? IPv4;
        var included = ordered.Where(m => FamilyOf(m.Address!) == addressType).Select(m => m.Member).ToList();
        var endpoints = included.Select(m => Endpoint(m, cluster.Metadata.Namespace, now, leaseDuration)).ToList();
        var draining = included.Where(m => m.Draining).Select(m => m.PodName).ToList();

        var previousEpoch = EpochOf(previous);
        var changed = previous is null
            || previousEpoch is null
            || previousEpoch < recordedEpoch
            || !SameMembership(addressType, endpoints, previous, serverKeepsTopology);
        var epoch = changed ? Math.Max(previousEpoch ?? 0, Math.Max(recordedEpoch, 0)) + 1 : previousEpoch!.Value;

        var metadata = Owner.Metadata(cluster, ObjectNames.RingEndpointSlice(name), Components.Ring);
        metadata.Labels![LabelKeys.EndpointSliceServiceName] = ObjectNames.RingService(name);
        metadata.Labels[LabelKeys.EndpointSliceManagedBy] = LabelKeys.EndpointSliceController;
        metadata.Annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [AnnotationKeys.MembershipEpoch] = epoch.ToString(CultureInfo.InvariantCulture),
        };
        if (draining.Count > 0)
        {
            metadata.Annotations[AnnotationKeys.DrainingMembers] = string.Join(',', draining);
        }

        var regions = AnnotationKeys.FormatRegions(endpoints.Select(e => (e.Hostname!, RegionOf(e))));
        if (regions.Length > 0)
        {
            metadata.Annotations[AnnotationKeys.MemberRegions] = regions;
        }

        var slice = new EndpointSlice
        {
            Metadata = metadata,
            AddressType = addressType,
            Endpoints = endpoints,
            Ports =
            [
                new EndpointPort { Name = AgentPorts.ClientName, Protocol = "TCP", Port = AgentPorts.Client },
                new EndpointPort { Name = AgentPorts.PeerName, Protocol = "TCP", Port = AgentPorts.Peer },
            ],
        };

        var nextExpiry = included
            .Where(m => m.Live(now, leaseDuration))
            .Select(m => m.LeaseExpiry(leaseDuration))
            .Min();

        return new RingSlice(slice, epoch, changed, nextExpiry);
    }

    /// <summary>The membership epoch annotation of a slice; null when missing or unreadable.</summary>
    public static long? EpochOf(EndpointSlice? slice) =>
        slice?.Metadata.Annotations?.TryGetValue(AnnotationKeys.MembershipEpoch, out var text) == true
        && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
            ? epoch
            : null;

    private static Endpoint Endpoint(MemberFacts member, string? @namespace, DateTimeOffset now, int leaseDuration)
    {
        var live = member.Live(now, leaseDuration);
        return new Endpoint
        {
            Addresses = [member.PodIp!],
            Hostname = member.PodName,
            NodeName = member.NodeName,
            Zone = member.Zone,
            DeprecatedTopology = string.IsNullOrEmpty(member.Region)
                ? null
                : new Dictionary<string, string>(StringComparer.Ordinal) { [RegionKey] = member.Region },
            TargetRef = new ObjectReference { Kind = "Pod", Namespace = @namespace, Name = member.PodName, Uid = member.PodUid },
            Conditions = new EndpointConditions
            {
                Ready = live && !member.Draining,
                Serving = live,
                Terminating = member.Draining,
            },
        };
    }

    private static bool SameMembership(string addressType, List<Endpoint> desired, EndpointSlice previous, bool serverKeepsTopology)
    {
        var previousEndpoints = previous.Endpoints ?? [];
        if (previous.AddressType != addressType || previousEndpoints.Count != desired.Count)
        {
            return false;
        }

        var annotatedDraining = previous.Metadata.Annotations?.TryGetValue(AnnotationKeys.DrainingMembers, out var list) == true
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal)
            : [];

        // Regions travel in an annotation (v1 servers drop deprecatedTopology); a slice written
        // before that annotation existed is judged by its topology map where the server keeps it.
        var previousRegions = previous.Metadata.Annotations?.TryGetValue(AnnotationKeys.MemberRegions, out var regionList) == true
            ? AnnotationKeys.ParseRegions(regionList)
            : null;

        var byUid = previousEndpoints.Where(e => e is not null).ToLookup(e => e.TargetRef?.Uid ?? "", StringComparer.Ordinal);
        foreach (var wanted in desired)
        {
            var matches = byUid[wanted.TargetRef!.Uid!].ToList();
            if (matches.Count != 1)
            {
                return false;
            }

            var had = matches[0];
            var hadConditions = had.Conditions;
            var hadTerminating = hadConditions?.Terminating ?? annotatedDraining.Contains(had.Hostname ?? had.TargetRef?.Name ?? "");
            if (had.Addresses?.FirstOrDefault() != wanted.Addresses[0]
                || had.Hostname != wanted.Hostname
                || had.NodeName != wanted.NodeName
                || had.Zone != wanted.Zone
                || RegionBefore(had, previousRegions, serverKeepsTopology, wanted) != RegionOf(wanted)
                || had.TargetRef?.Name != wanted.TargetRef.Name
                // An unknown ready condition means ready to EndpointSlice consumers.
                || (hadConditions?.Ready ?? true) != wanted.Conditions!.Ready
                || (hadConditions?.Serving is { } serving && serving != wanted.Conditions.Serving)
                || hadTerminating != wanted.Conditions.Terminating)
            {
                return false;
            }
        }

        return true;
    }

    private static string? RegionOf(Endpoint endpoint) =>
        endpoint.DeprecatedTopology?.GetValueOrDefault(RegionKey);

    private static string? RegionBefore(Endpoint had, Dictionary<string, string>? annotated, bool serverKeepsTopology, Endpoint wanted) =>
        annotated is not null ? annotated.GetValueOrDefault(had.Hostname ?? "")
        : serverKeepsTopology ? RegionOf(had)
        : RegionOf(wanted); // nothing recorded to compare with

    private static IPAddress? Parse(string? address) =>
        IPAddress.TryParse(address, out var parsed) ? parsed : null;

    private static string FamilyOf(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? IPv6 : IPv4;
}
