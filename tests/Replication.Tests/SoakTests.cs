using DataCluster.Replication.Tests.Simulation;

namespace DataCluster.Replication.Tests;

/// <summary>
/// A longer search than the property test, for a developer machine:
/// <c>REPLICATION_SOAK_SEEDS=5000 dotnet test tests/Replication.Tests -c Release</c>. Runs nothing
/// when the variable is unset; <c>REPLICATION_SOAK_FIRST_SEED</c> picks the first seed and
/// <c>REPLICATION_SOAK_HARSH=1</c> draws harsher settings. Each failing seed's report goes to the test output. To read one
/// seed's whole story, run <c>new Simulator(SimulationSettings.Drawn(seed, tracePartition: p)).Run().Report(int.MaxValue)</c>:
/// the schedule then shows every change of partition p's promises, replica sets and logs.
/// </summary>
public sealed class SoakTests
{
    [Fact]
    public void Many_seeds_keep_every_invariant()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("REPLICATION_SOAK_SEEDS"), out var n) ? n : 0;
        var first = int.TryParse(Environment.GetEnvironmentVariable("REPLICATION_SOAK_FIRST_SEED"), out var f) ? f : 1_000_000;
        var harsh = Environment.GetEnvironmentVariable("REPLICATION_SOAK_HARSH") == "1";
        var failures = new List<string>();
        for (var seed = first; seed < first + count; seed++)
        {
            var result = new Simulator(SimulationSettings.Drawn(seed, harsh)).Run();
            if (result.Violation is not null)
            {
                failures.Add(result.Report(200));
            }
        }

        foreach (var failure in failures.Take(3))
        {
            TestContext.Current.TestOutputHelper?.WriteLine(failure);
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {count} seeds broke an invariant; first:\n{failures.FirstOrDefault()}");
    }
}
