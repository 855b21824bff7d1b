using DataCluster.Ring;
using FsCheck;
using FsCheck.Fluent;

namespace DataCluster.Ring.Tests;

/// <summary>One change to the membership.</summary>
public enum ChangeKind
{
    Join,
    Leave,
    Crash,
    Drain,
}

/// <summary>A random cluster: its members and settings.</summary>
public sealed record Cluster(IReadOnlyList<Member> Members, AssignmentSettings Settings, int Zones, int Regions)
{
    public override string ToString() =>
        $"{Members.Count} members in {Zones} zones / {Regions} regions, {Settings}";
}

/// <summary>A random cluster and a random sequence of membership changes.</summary>
public sealed record History(Cluster Start, IReadOnlyList<(ChangeKind Kind, int Pick)> Changes)
{
    public override string ToString() =>
        $"{Start}; changes: {string.Join(", ", Changes.Select(c => $"{c.Kind}({c.Pick})"))}";
}

/// <summary>
/// FsCheck generators for ring tests. Sizes: 1..200 members, 1..5 zones, 1..3 regions,
/// 1..4096 partitions, factor 1..5, and placement requests up to factor - 1. Partitions are
/// drawn log-uniformly so that small counts (where balance and distinctness are tight) are as
/// likely as large ones.
/// </summary>
public static class Generators
{
    public static Gen<Member> MemberIn(int zones, int regions, int ordinal) =>
        from zone in Gen.Choose(0, zones - 1)
        from region in Gen.Choose(0, regions - 1)
        from unknown in Gen.Frequency((20, Gen.Constant(false)), (1, Gen.Constant(true)))
        select new Member(
            $"member-{ordinal}",
            ordinal,
            unknown ? "" : $"zone-{zone}",
            unknown ? "" : $"region-{Math.Min(region, zone)}");

    public static Gen<AssignmentSettings> Settings =>
        from exponent in Gen.Choose(0, 12)
        from extra in Gen.Choose(0, 1 << exponent)
        from factor in Gen.Choose(1, 5)
        from otherZone in Gen.Choose(0, factor - 1)
        from otherRegion in Gen.Choose(0, factor - 1 - otherZone)
        from constrained in Gen.Elements(true, false)
        select new AssignmentSettings(
            Math.Min(4096, (1 << exponent) + extra - (extra > 0 ? 1 : 0)),
            factor,
            constrained ? otherZone : 0,
            constrained ? otherRegion : 0);

    public static Gen<Cluster> Clusters =>
        from count in Gen.Frequency((3, Gen.Choose(1, 12)), (2, Gen.Choose(13, 60)), (1, Gen.Choose(61, 200)))
        from zones in Gen.Choose(1, 5)
        from regions in Gen.Choose(1, 3)
        from members in Gen.CollectToArray(Enumerable.Range(0, count), i => MemberIn(zones, regions, i))
        from settings in Settings
        select new Cluster([.. members], settings, zones, regions);

    /// <summary>Clusters with more members than the factor and at least 16 partitions per member.</summary>
    public static Gen<Cluster> MovementClusters =>
        from count in Gen.Choose(2, 100)
        from zones in Gen.Choose(1, 5)
        from regions in Gen.Choose(1, 3)
        from members in Gen.CollectToArray(Enumerable.Range(0, count), i => MemberIn(zones, regions, i))
        from factor in Gen.Choose(1, Math.Min(5, count - 1))
        from partitions in Gen.Choose(16 * (count + 1), 4096)
        select new Cluster([.. members], new AssignmentSettings(Math.Min(partitions, 4096), factor), zones, regions);

    public static Gen<History> Histories =>
        from start in Clusters
        from length in Gen.Choose(1, 8)
        from changes in Gen.ListOf(
            Gen.Zip(Gen.Elements(ChangeKind.Join, ChangeKind.Leave, ChangeKind.Crash, ChangeKind.Drain), Gen.Choose(0, 1000)),
            length)
        select new History(start, [.. changes]);

    public static Arbitrary<Cluster> ClusterArbitrary => Arb.From(Clusters);

    public static Arbitrary<History> HistoryArbitrary => Arb.From(Histories);

    /// <summary>
    /// Applies one change. Leave drains the member (it stays, draining); Crash removes it at once;
    /// a drained member is removed by a later Leave or Crash that picks it. Join adds a member in
    /// a random known zone.
    /// </summary>
    public static List<Member> Apply(List<Member> members, ChangeKind kind, int pick, int zones, int regions, ref int nextOrdinal)
    {
        var next = new List<Member>(members);
        switch (kind)
        {
            case ChangeKind.Join:
                var zone = pick % zones;
                next.Add(new Member($"member-{nextOrdinal}", nextOrdinal, $"zone-{zone}", $"region-{Math.Min(pick / zones % regions, zone)}"));
                nextOrdinal++;
                break;
            case ChangeKind.Drain when next.Count > 0:
            case ChangeKind.Leave when next.Count > 0:
                var chosen = next[pick % next.Count];
                next.Remove(chosen);
                if (chosen.State == MemberState.Active)
                {
                    next.Add(chosen with { State = MemberState.Draining });
                }

                break;
            case ChangeKind.Crash when next.Count > 0:
                next.RemoveAt(pick % next.Count);
                break;
        }

        return next;
    }
}
