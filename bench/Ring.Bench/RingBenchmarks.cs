using BenchmarkDotNet.Attributes;
using DataCluster.Ring;

namespace DataCluster.Ring.Bench;

/// <summary>BenchmarkDotNet benchmarks: key lookup and assignment at 4096 partitions, factor 3, 100 members.</summary>
[MemoryDiagnoser]
public class RingBenchmarks
{
    private readonly string[] _keys = Scenario.Keys(1024);
    private RingLookup _lookup = null!;
    private Assignment _current = null!;
    private List<Member> _members = null!;
    private List<Member> _joined = null!;
    private List<Member> _crashed = null!;
    private int _next;

    [ParamsSource(nameof(Scenarios))]
    public Scenario Scenario { get; set; } = Scenario.All[0];

    public static IEnumerable<Scenario> Scenarios => Scenario.All;

    [GlobalSetup]
    public void Setup()
    {
        _members = Scenario.BuildMembers();
        _current = Assigner.Assign(null, _members, Scenario.Settings);
        _lookup = new RingLookup(_current);
        _joined = [.. _members, Scenario.Member(Scenario.Members)];
        _crashed = [.. _members.Where(m => m.Ordinal != 7)];
    }

    [Benchmark]
    public string? LeaderOfKey() => _lookup.LeaderOf(_keys[_next++ & 1023]);

    [Benchmark]
    public Assignment FirstAssignment() => Assigner.Assign(null, _members, Scenario.Settings);

    [Benchmark]
    public Assignment AssignAfterJoin() => Assigner.Assign(_current, _joined, Scenario.Settings);

    [Benchmark]
    public Assignment AssignAfterCrash() => Assigner.Assign(_current, _crashed, Scenario.Settings);

    [Benchmark]
    public Assignment AssignUnchanged() => Assigner.Assign(_current, _members, Scenario.Settings);
}
