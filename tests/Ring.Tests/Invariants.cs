using DataCluster.Ring;

namespace DataCluster.Ring.Tests;

/// <summary>
/// Checks an assignment against the contract, with its own reading of the placement rules
/// (docs/assignment.md) rather than the library's. Throws with a description on the first
/// violation.
/// </summary>
public static class Invariants
{
    public static void Check(Assignment? previous, IReadOnlyCollection<Member> members, AssignmentSettings settings, Assignment result)
    {
        Require(result.Partitions == settings.Partitions, "partition count");
        Require(result.Epoch == (previous?.Epoch ?? 0) + 1, "epoch is previous + 1");
        var active = members.Where(m => m.State != MemberState.Draining).ToDictionary(m => m.Id, StringComparer.Ordinal);
        var present = members.ToDictionary(m => m.Id, StringComparer.Ordinal);

        for (var p = 0; p < result.Partitions; p++)
        {
            var replicas = result.ReplicasOf(p).ToArray();
            Require(replicas.Distinct(StringComparer.Ordinal).Count() == replicas.Length, $"partition {p} has a member twice");
            if (result.LeaderOf(p) is { } leader)
            {
                Require(active.ContainsKey(leader), $"partition {p} is led by {leader}, which is not active");
            }

            if (active.Count == 0)
            {
                Require(result.LeaderOf(p) is null, $"partition {p} has a leader with no active member");
                var before = previous?.ReplicasOf(p).ToArray() ?? [];
                Require(replicas.All(before.Contains) && replicas.All(present.ContainsKey), $"partition {p} invented a replica with no active member");
                continue;
            }

            var expected = Math.Min(settings.ReplicationFactor, active.Count);
            Require(replicas.Length == expected, $"partition {p} has {replicas.Length} replicas, expected {expected}");
            Require(replicas.All(active.ContainsKey), $"partition {p} places a replica on a member that is not active");
            Require(result.LeaderOf(p) == replicas[0], $"partition {p}: the leader is the first replica");
            CheckPlacement(p, replicas.Select(id => active[id]).ToArray(), active.Values, settings);
        }
    }

    /// <summary>The placement requirements, wherever the active members make them possible.</summary>
    private static void CheckPlacement(int p, Member[] replicas, IEnumerable<Member> active, AssignmentSettings settings)
    {
        var r = replicas.Length;
        var zoneSlots = Math.Min(settings.OtherZoneReplicas, r - 1);
        var regionSlots = Math.Min(settings.OtherRegionReplicas, r - 1 - zoneSlots);
        var leader = replicas[0];
        var availableZone = active.Count(m => IsOtherZone(leader, m));
        var availableRegion = active.Count(m => IsOtherRegion(leader, m));
        var otherZone = replicas.Skip(1).Count(m => IsOtherZone(leader, m));
        var otherRegion = replicas.Skip(1).Count(m => IsOtherRegion(leader, m));
        Require(otherZone >= Math.Min(zoneSlots, availableZone),
            $"partition {p}: {otherZone} replicas in other zones of the leader's region, {Math.Min(zoneSlots, availableZone)} required and possible");
        Require(otherRegion >= Math.Min(regionSlots, availableRegion),
            $"partition {p}: {otherRegion} replicas in other regions, {Math.Min(regionSlots, availableRegion)} required and possible");
    }

    /// <summary>Both regions known and different.</summary>
    public static bool IsOtherRegion(Member leader, Member m) =>
        leader.Region != "" && m.Region != "" && leader.Region != m.Region;

    /// <summary>Both zones known and different, regions not known to differ.</summary>
    public static bool IsOtherZone(Member leader, Member m) =>
        !IsOtherRegion(leader, m) && leader.Zone != "" && m.Zone != "" && leader.Zone != m.Zone;

    public static Dictionary<string, int> ReplicaCounts(Assignment a, IEnumerable<Member> active)
    {
        var counts = active.ToDictionary(m => m.Id, _ => 0, StringComparer.Ordinal);
        for (var p = 0; p < a.Partitions; p++)
        {
            foreach (var id in a.ReplicasOf(p))
            {
                counts[id]++;
            }
        }

        return counts;
    }

    public static Dictionary<string, int> LeaderCounts(Assignment a, IEnumerable<Member> active)
    {
        var counts = active.ToDictionary(m => m.Id, _ => 0, StringComparer.Ordinal);
        for (var p = 0; p < a.Partitions; p++)
        {
            if (a.LeaderOf(p) is { } leader)
            {
                counts[leader]++;
            }
        }

        return counts;
    }

    /// <summary>Replica placements in <paramref name="after"/> that <paramref name="before"/> did not have.</summary>
    public static int MovedReplicas(Assignment before, Assignment after)
    {
        var moved = 0;
        for (var p = 0; p < after.Partitions; p++)
        {
            var had = before.ReplicasOf(p);
            foreach (var id in after.ReplicasOf(p))
            {
                if (!had.Contains(id))
                {
                    moved++;
                }
            }
        }

        return moved;
    }

    private static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException(what);
        }
    }
}
