using DataCluster.Replication.Tests.Simulation;

namespace DataCluster.Replication.Tests;

public sealed class SimulationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_simulated_cluster_with_faults_keeps_every_invariant(int seed)
    {
        var result = new Simulator(new SimulationSettings(seed, Members: 3 + seed % 3)).Run();
        TestContext.Current.TestOutputHelper?.WriteLine(result.Report(20));
        Assert.True(result.Violation is null, result.Report());
    }

    [Fact]
    public void The_same_seed_replays_the_same_schedule()
    {
        var settings = new SimulationSettings(42, Members: 4, Steps: 1500);
        var first = new Simulator(settings).Run();
        var second = new Simulator(settings).Run();
        Assert.Equal(first.Schedule, second.Schedule);
    }
}
