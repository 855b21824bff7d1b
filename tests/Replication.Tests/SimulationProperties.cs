using DataCluster.Replication.Tests.Simulation;
using FsCheck;
using FsCheck.Fluent;

namespace DataCluster.Replication.Tests;

/// <summary>
/// FsCheck draws the seed and the shape of each schedule (members, partitions, fault rates); the
/// simulator runs it and the checker holds every invariant after every step. A failure prints
/// the seed, the settings and the schedule, and replays exactly with the same settings.
/// </summary>
public sealed class SimulationProperties
{
    /// <summary>Schedules per run: about 3,600 steps each, about 20 s on two cores in all.</summary>
    private const int Schedules = 300;

    private static readonly Gen<SimulationSettings> Settings =
        from seed in Gen.Choose(0, int.MaxValue - 1)
        from members in Gen.Choose(3, 5)
        from partitions in Gen.Choose(1, 3)
        from loss in Gen.Choose(0, 15)
        from delay in Gen.Choose(2, 40)
        from crash in Gen.Choose(0, 8)
        from split in Gen.Choose(0, 8)
        from reassign in Gen.Choose(0, 12)
        from write in Gen.Choose(5, 60)
        from stale in Gen.Choose(0, 50)
        from substitutes in Gen.Elements(false, true)
        select new SimulationSettings(seed, members, partitions, 3000, loss, delay, crash, split, reassign, write, stale, Substitutes: substitutes);

    [Fact]
    public void Every_invariant_holds_after_every_step_of_random_schedules_and_writes_resume_once_faults_stop()
    {
        var steps = 0L;
        var runs = 0;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Schedules), Prop.ForAll(Arb.From(Settings), settings =>
        {
            var result = new Simulator(settings).Run();
            steps += result.Steps;
            runs++;
            if (result.Violation is not null)
            {
                throw new InvariantViolation(result.Report());
            }
        }));

        TestContext.Current.TestOutputHelper?.WriteLine($"{runs} schedules, {steps} steps");
        Assert.Equal(Schedules, runs);
    }
}
