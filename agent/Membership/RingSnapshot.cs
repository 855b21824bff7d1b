using System.Globalization;
using System.Net;
using DataCluster.Contracts;
using DataCluster.Kube.Models;
using DataCluster.Ring;

namespace DataCluster.Agent.Membership;

/// <summary>One member as the ring EndpointSlice lists it.</summary>
/// <param name="Id">The pod name, which is the member id in assignments.</param>
/// <param name="Ordinal">The StatefulSet ordinal, parsed from <paramref name="Id"/>.</param>
/// <param name="Address">The endpoint's first address; null when it lists none.</param>
/// <param name="ClientPort">The port of the agent's client API.</param>
/// <param name="Zone">Topology zone, "" when unknown.</param>
/// <param name="Region">Topology region, "" when unknown.</param>
/// <param name="Draining">The endpoint is terminating or named in the draining annotation.</param>
public sealed record RingEndpoint(string Id, int Ordinal, string? Address, int ClientPort, string Zone, string Region, bool Draining)
{
    /// <summary>host:port to reach the member's client API (IPv6 in brackets), or null without an address.</summary>
    public string? ClientAuthority => Address is null ? null
        : IPAddress.TryParse(Address, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{Address}]:{ClientPort.ToString(CultureInfo.InvariantCulture)}"
            : $"{Address}:{ClientPort.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>
/// An immutable reading of the ring EndpointSlice NAME-ring: its members and membership epoch.
/// Thread-safe. Endpoints that do not name one of the cluster's pods are left out.
/// </summary>
public sealed class RingSnapshot
{
    /// <summary>
    /// Where a v1beta1 slice may also carry an endpoint's region (its topology map). The operator
    /// writes regions to the <see cref="AnnotationKeys.MemberRegions"/> annotation, which is read
    /// first because v1 servers drop deprecatedTopology.
    /// </summary>
    public const string RegionKey = "topology.kubernetes.io/region";

    private readonly Dictionary<string, RingEndpoint> _byId;

    private RingSnapshot(long? membershipEpoch, IReadOnlyList<RingEndpoint> endpoints)
    {
        MembershipEpoch = membershipEpoch;
        Endpoints = endpoints;
        _byId = endpoints.ToDictionary(e => e.Id, StringComparer.Ordinal);
        Members = [.. endpoints.Select(e => new Member(e.Id, e.Ordinal, e.Zone, e.Region, e.Draining ? MemberState.Draining : MemberState.Active))];
    }

    /// <summary>No slice seen (or the slice was deleted).</summary>
    public static RingSnapshot Empty { get; } = new(null, []);

    /// <summary>The slice's membership epoch annotation; null when missing or unreadable.</summary>
    public long? MembershipEpoch { get; }

    /// <summary>Members by ordinal.</summary>
    public IReadOnlyList<RingEndpoint> Endpoints { get; }

    /// <summary>The endpoints as the ring library's members, with their zones and regions; draining endpoints are draining members.</summary>
    public IReadOnlyList<Member> Members { get; }

    /// <summary>The member with this id, or null.</summary>
    public RingEndpoint? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>Reads a slice of cluster <paramref name="cluster"/>; null gives <see cref="Empty"/>.</summary>
    public static RingSnapshot From(EndpointSlice? slice, string cluster)
    {
        if (slice is null)
        {
            return Empty;
        }

        var annotations = slice.Metadata.Annotations;
        long? epoch = annotations?.TryGetValue(AnnotationKeys.MembershipEpoch, out var text) == true
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        var annotatedDraining = annotations?.TryGetValue(AnnotationKeys.DrainingMembers, out var list) == true
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal)
            : [];
        var regions = AnnotationKeys.ParseRegions(annotations?.GetValueOrDefault(AnnotationKeys.MemberRegions));
        var port = slice.Ports?.FirstOrDefault(p => p?.Name == AgentPorts.ClientName)?.Port ?? AgentPorts.Client;

        var endpoints = new List<RingEndpoint>();
        foreach (var endpoint in slice.Endpoints ?? [])
        {
            var id = endpoint?.Hostname ?? endpoint?.TargetRef?.Name;
            if (endpoint is null || string.IsNullOrEmpty(id))
            {
                continue;
            }

            var ordinal = ObjectNames.OrdinalOf(cluster, id);
            if (ordinal < 0 || endpoints.Exists(e => e.Id == id))
            {
                continue;
            }

            endpoints.Add(new RingEndpoint(
                id,
                ordinal,
                endpoint.Addresses?.FirstOrDefault(),
                port,
                endpoint.Zone ?? "",
                regions.GetValueOrDefault(id) ?? endpoint.DeprecatedTopology?.GetValueOrDefault(RegionKey) ?? "",
                endpoint.Conditions?.Terminating == true || annotatedDraining.Contains(id)));
        }

        endpoints.Sort((a, b) => a.Ordinal.CompareTo(b.Ordinal));
        return new RingSnapshot(epoch, endpoints);
    }
}
