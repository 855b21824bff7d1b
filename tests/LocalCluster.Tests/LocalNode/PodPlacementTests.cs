using DataCluster.LocalCluster.LocalNode;
using Xunit;

namespace DataCluster.LocalCluster.Tests.LocalNode;

public sealed class PodPlacementTests
{
    private static readonly LocalNodeDefinition[] Nodes =
    [
        new("a1", "zone-a", "r"),
        new("a2", "zone-a", "r"),
        new("b1", "zone-b", "r"),
    ];

    private static string Place(IReadOnlyCollection<PlacedPod> placed, string group = "ns/sts", IReadOnlyDictionary<string, string>? selector = null) =>
        PodPlacement.Choose(Nodes, selector, group, placed)?.Name ?? "(none)";

    [Fact]
    public void A_group_spreads_over_zones_first_then_over_the_nodes_of_a_zone()
    {
        var placed = new List<PlacedPod>();
        var order = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var node = Place(placed);
            order.Add(node);
            placed.Add(new PlacedPod(node, "ns/sts"));
        }

        Assert.Equal(["a1", "b1", "a2", "b1", "a1", "b1"], order);
    }

    [Fact]
    public void Other_groups_only_break_ties()
    {
        PlacedPod[] placed = [new("a1", "ns/other"), new("a1", "ns/other"), new("b1", "ns/sts")];

        Assert.Equal("a2", Place(placed));
    }

    [Fact]
    public void A_node_selector_limits_the_choice_and_an_unsatisfiable_one_leaves_the_pod_pending()
    {
        var zoneB = new Dictionary<string, string> { ["topology.kubernetes.io/zone"] = "zone-b" };
        var nowhere = new Dictionary<string, string> { ["topology.kubernetes.io/zone"] = "zone-z" };

        Assert.Equal("b1", Place([new PlacedPod("b1", "ns/sts")], selector: zoneB));
        Assert.Equal("(none)", Place([], selector: nowhere));
    }

    [Fact]
    public void Nodes_carry_hostname_zone_and_region_labels()
    {
        var labels = PodPlacement.Labels(new LocalNodeDefinition("local-a", "zone-a", "local"));

        Assert.Equal("local-a", labels["kubernetes.io/hostname"]);
        Assert.Equal("zone-a", labels["topology.kubernetes.io/zone"]);
        Assert.Equal("local", labels["topology.kubernetes.io/region"]);
    }
}
