namespace DataCluster.LocalCluster.LocalNode;

/// <summary>A pod already placed: its node and its spread group.</summary>
/// <param name="Node">The node it is bound to.</param>
/// <param name="Group">Pods of one group are spread over zones (the namespace plus the owning controller).</param>
public sealed record PlacedPod(string Node, string Group);

/// <summary>
/// The scheduling decision of the local node, which plays kube-scheduler for its pods: spread a
/// group's pods over zones first and over the nodes of a zone second, as the topology spread
/// constraint the operator sets asks. Pure.
/// </summary>
public static class PodPlacement
{
    /// <summary>
    /// The node for a new pod of <paramref name="group"/>: among the nodes whose labels satisfy
    /// <paramref name="nodeSelector"/>, one in the zone with the fewest pods of the group, and in
    /// it the node with the fewest pods of the group, then the fewest pods at all, then the first
    /// in <paramref name="nodes"/>. Null when no node satisfies the selector.
    /// </summary>
    public static LocalNodeDefinition? Choose(
        IReadOnlyList<LocalNodeDefinition> nodes,
        IReadOnlyDictionary<string, string>? nodeSelector,
        string group,
        IReadOnlyCollection<PlacedPod> placed)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(placed);
        var eligible = nodes.Where(n => Satisfies(n, nodeSelector)).ToList();
        if (eligible.Count == 0)
        {
            return null;
        }

        var zoneOf = nodes.ToDictionary(n => n.Name, n => n.Zone, StringComparer.Ordinal);
        var inGroup = placed.Where(p => p.Group == group).ToList();
        int GroupInZone(string zone) => inGroup.Count(p => zoneOf.GetValueOrDefault(p.Node) == zone);
        int GroupOnNode(string node) => inGroup.Count(p => p.Node == node);
        int AllOnNode(string node) => placed.Count(p => p.Node == node);

        return eligible
            .Select((node, index) => (node, index))
            .OrderBy(x => GroupInZone(x.node.Zone))
            .ThenBy(x => GroupOnNode(x.node.Name))
            .ThenBy(x => AllOnNode(x.node.Name))
            .ThenBy(x => x.index)
            .First().node;
    }

    /// <summary>The labels the local node puts on a Node.</summary>
    public static IReadOnlyDictionary<string, string> Labels(LocalNodeDefinition node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["kubernetes.io/hostname"] = node.Name,
            ["kubernetes.io/os"] = "linux",
            ["topology.kubernetes.io/zone"] = node.Zone,
            ["topology.kubernetes.io/region"] = node.Region,
        };
    }

    private static bool Satisfies(LocalNodeDefinition node, IReadOnlyDictionary<string, string>? selector)
    {
        if (selector is null || selector.Count == 0)
        {
            return true;
        }

        var labels = Labels(node);
        return selector.All(kv => labels.TryGetValue(kv.Key, out var value) && value == kv.Value);
    }
}
