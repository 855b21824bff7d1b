using DataCluster.Replication.Tests.Simulation;

namespace DataCluster.Replication.Tests;

/// <summary>
/// A longer search than the property test, for a developer machine:
/// <c>REPLICATION_SOAK_SEEDS=5000 dotnet test tests/Replication.Tests -c Release</c>. Runs nothing
/// when the variable is unset. Each failing seed's report goes to the test output.
/// </summary>
public sealed class SoakTests
{
    [Fact]
    public void Many_seeds_keep_every_invariant()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("REPLICATION_SOAK_SEEDS"), out var n) ? n : 0;
        var first = int.TryParse(Environment.GetEnvironmentVariable("REPLICATION_SOAK_FIRST_SEED"), out var f) ? f : 1_000_000;
        var failures = new List<string>();
        for (var seed = first; seed < first + count; seed++)
        {
            var random = new Random(seed);
            var settings = new SimulationSettings(seed, 3 + random.Next(3), 1 + random.Next(3), 3000, random.Next(15), 5 + random.Next(40),
                random.Next(8), random.Next(8), random.Next(12), 10 + random.Next(50), random.Next(50), Substitutes: random.Next(2) == 1);
            var result = new Simulator(settings).Run();
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
