using BenchmarkDotNet.Attributes;
using DataCluster.Ring;

namespace DataCluster.Ring.Bench;

/// <summary>BenchmarkDotNet benchmarks: key lookup and assignment at 4096 partitions, factor 3, 100 members.</summary>
[MemoryDiagnoser]
public class RingBenchmarks
{
    private readonly string[] keys = Scenario.Keys(1024);
    private RingLookup lookup = null!;
    private Assignment current = null!;
    private List<Member> members = null!;
    private List<Member> joined = null!;
    private List<Member> crashed = null!;
    private int next;

    [ParamsSource(nameof(Scenarios))]
    public Scenario Scenario { get; set; } = Scenario.All[0];

    public static IEnumerable<Scenario> Scenarios => Scenario.All;

    [GlobalSetup]
    public void Setup()
    {
        members = Scenario.BuildMembers();
        current = Assigner.Assign(null, members, Scenario.Settings);
        lookup = new RingLookup(current);
        joined = [.. members, Scenario.Member(Scenario.Members)];
        crashed = [.. members.Where(m => m.Ordinal != 7)];
    }

    [Benchmark]
    public string? LeaderOfKey() => lookup.LeaderOf(keys[next++ & 1023]);

    [Benchmark]
    public Assignment FirstAssignment() => Assigner.Assign(null, members, Scenario.Settings);

    [Benchmark]
    public Assignment AssignAfterJoin() => Assigner.Assign(current, joined, Scenario.Settings);

    [Benchmark]
    public Assignment AssignAfterCrash() => Assigner.Assign(current, crashed, Scenario.Settings);

    [Benchmark]
    public Assignment AssignUnchanged() => Assigner.Assign(current, members, Scenario.Settings);
}
