using DataCluster.Replication.Tests.Simulation;

namespace DataCluster.Replication.Tests;

/// <summary>
/// The checker must catch a broken protocol: each test breaks one rule on purpose
/// (<see cref="UnsafeRules"/>) and searches seeds until the simulator reports a violation.
/// </summary>
public sealed class BrokenRuleTests
{
    [Fact]
    public void Skipping_the_majority_of_earlier_replica_sets_loses_acknowledged_writes()
    {
        var found = FirstViolation(UnsafeRules.SkipEarlierReplicaSets, maxSeeds: 200);
        Assert.NotNull(found);
        Assert.Matches(@"^\((1|2|3)\)", found.Violation);
    }

    [Fact]
    public void Acknowledging_unflushed_appends_is_caught_as_a_false_durability_claim()
    {
        var found = FirstViolation(UnsafeRules.CountUnflushedRecords, maxSeeds: 20);
        Assert.NotNull(found);
        Assert.StartsWith("(4)", found.Violation, StringComparison.Ordinal);
    }

    private static SimulationResult? FirstViolation(UnsafeRules rule, int maxSeeds)
    {
        for (var seed = 1; seed <= maxSeeds; seed++)
        {
            var random = new Random(seed);
            var settings = new SimulationSettings(
                seed,
                Members: 4 + random.Next(2),
                Partitions: 1 + random.Next(3),
                LossPercent: random.Next(10),
                CrashPerMille: 3 + random.Next(5),
                ReassignPerMille: 6 + random.Next(6),
                Unsafe: rule);
            var result = new Simulator(settings).Run();
            if (result.Violation is not null)
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"found after {seed} schedules:");
                TestContext.Current.TestOutputHelper?.WriteLine(result.Report(40));
                return result;
            }
        }

        return null;
    }
}
