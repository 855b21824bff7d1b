using DataCluster.Ring;

namespace DataCluster.Ring.Bench;

/// <summary>The benchmarked cluster: members spread round-robin over zones of one region.</summary>
public sealed record Scenario(string Name, int Members, int Zones, AssignmentSettings Settings)
{
    public static IReadOnlyList<Scenario> All { get; } =
    [
        new("1 zone, no placement requirement", 100, 1, new AssignmentSettings(4096, 3)),
        new("3 zones, otherZoneReplicas=1", 100, 3, new AssignmentSettings(4096, 3, OtherZoneReplicas: 1)),
        new("3 zones, otherZoneReplicas=2", 100, 3, new AssignmentSettings(4096, 3, OtherZoneReplicas: 2)),
    ];

    public List<Member> BuildMembers() =>
        [.. Enumerable.Range(0, Members).Select(i => Member(i))];

    public Member Member(int ordinal) => new($"datacluster-{ordinal}", ordinal, $"zone-{ordinal % Zones}", "region-a");

    /// <summary>Keys as clients send them.</summary>
    public static string[] Keys(int count) => [.. Enumerable.Range(0, count).Select(i => $"customer-{i * 7919}:orders")];
}
