namespace DataCluster.Contracts;

/// <summary>Annotation keys.</summary>
public static class AnnotationKeys
{
    /// <summary>On the ring EndpointSlice: increases on every membership change.</summary>
    public const string MembershipEpoch = "datacluster.dev/membership-epoch";

    /// <summary>
    /// On the ring EndpointSlice: comma-separated member names being drained. Redundant with the
    /// endpoints' terminating condition, which API servers before 1.22 drop unless a feature gate is on.
    /// </summary>
    public const string DrainingMembers = "datacluster.dev/draining";

    /// <summary>
    /// On a member Lease, written by its own agent when it stops (SIGTERM): "true" while the member
    /// is leaving. The cluster leader, which watches the member Leases anyway, counts the member as
    /// draining at once, without waiting for the operator to mark it in the ring EndpointSlice. The
    /// agent's first renewal after a start removes it.
    /// </summary>
    public const string Leaving = "datacluster.dev/leaving";

    /// <summary>
    /// On the ring EndpointSlice: comma-separated <c>member=region</c> pairs. EndpointSlices have no
    /// region field, and servers that serve discovery.k8s.io/v1 ignore writes to deprecatedTopology,
    /// so the region of each member travels here.
    /// </summary>
    public const string MemberRegions = "datacluster.dev/regions";

    /// <summary>Formats <see cref="MemberRegions"/> from (member, region) pairs; members without a region are left out.</summary>
    public static string FormatRegions(IEnumerable<(string Member, string? Region)> regions) =>
        string.Join(',', regions.Where(r => !string.IsNullOrEmpty(r.Region)).Select(r => $"{r.Member}={r.Region}"));

    /// <summary>Reads <see cref="MemberRegions"/>; malformed pairs are skipped.</summary>
    public static Dictionary<string, string> ParseRegions(string? value)
    {
        var regions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2);
            if (parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0)
            {
                regions[parts[0]] = parts[1];
            }
        }

        return regions;
    }
}
