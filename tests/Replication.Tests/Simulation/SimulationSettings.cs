namespace DataCluster.Replication.Tests.Simulation;

/// <summary>
/// Everything that shapes one simulated run. With the same settings (seed included) a run replays
/// exactly: one <see cref="Random"/> seeded from <see cref="Seed"/> decides every delay, loss,
/// crash, restart, partition, assignment change and write.
/// </summary>
/// <param name="Seed">Seeds the run's only source of randomness.</param>
/// <param name="Members">Members in the cluster (3 to 5).</param>
/// <param name="Partitions">Partitions (1 to 3).</param>
/// <param name="Steps">Clock advances; a step moves the clock 1 to 5 ms and runs whatever falls due.</param>
/// <param name="LossPercent">Chance a message is lost, in percent, while faults are on.</param>
/// <param name="MaxDelayMs">Upper bound of a message's delay (the base delay of a pair plus jitter; jitter reorders).</param>
/// <param name="CrashPerMille">Chance per step that a member crashes, per mille, while faults are on.</param>
/// <param name="PartitionPerMille">Chance per step that the network splits, per mille.</param>
/// <param name="ReassignPerMille">Chance per step that the ring publishes a new assignment, per mille.</param>
/// <param name="WritePercent">Chance per step that a client writes, in percent.</param>
/// <param name="StalePercent">Chance that a member sees a new assignment late (up to 3 s), in percent.</param>
/// <param name="Unsafe">Rules broken on purpose (tests of the checker).</param>
/// <param name="Substitutes">Leaders put members outside a partition's set in place of down replicas (with 4 or more members).</param>
/// <param name="TracePartition">When set, the schedule also logs every change of that partition's saved promise, replica sets and log on every member (to read a failure; replays the same run).</param>
internal sealed record SimulationSettings(
    int Seed,
    int Members = 3,
    int Partitions = 2,
    int Steps = 3000,
    int LossPercent = 5,
    int MaxDelayMs = 20,
    int CrashPerMille = 3,
    int PartitionPerMille = 3,
    int ReassignPerMille = 3,
    int WritePercent = 30,
    int StalePercent = 20,
    UnsafeRules Unsafe = UnsafeRules.None,
    bool Substitutes = false,
    int? TracePartition = null)
{
    /// <summary>The settings the soak draws for <paramref name="seed"/>: members, partitions, rates and substitutes all come from the seed.</summary>
    /// <param name="seed">Seeds the drawing and the run.</param>
    /// <param name="harsh">Four or five members, 5 to 10 crashes and 6 to 15 reassignments per mille, substitutes in two runs of three.</param>
    /// <param name="tracePartition">See <see cref="TracePartition"/>.</param>
    public static SimulationSettings Drawn(int seed, bool harsh = false, int? tracePartition = null)
    {
        var random = new Random(seed);
        return harsh
            ? new SimulationSettings(seed, 4 + random.Next(2), 1 + random.Next(3), 3000, random.Next(10), 5 + random.Next(40),
                5 + random.Next(6), random.Next(8), 6 + random.Next(10), 10 + random.Next(50), random.Next(60), Substitutes: random.Next(3) != 0, TracePartition: tracePartition)
            : new SimulationSettings(seed, 3 + random.Next(3), 1 + random.Next(3), 3000, random.Next(15), 5 + random.Next(40),
                random.Next(8), random.Next(8), random.Next(12), 10 + random.Next(50), random.Next(50), Substitutes: random.Next(2) == 1, TracePartition: tracePartition);
    }

    /// <summary>Steps with faults; the rest are quiet (network healed, everyone up) and must make progress.</summary>
    public int FaultSteps => Steps * 2 / 3;

    public override string ToString() =>
        $"seed {Seed}, {Members} members, {Partitions} partitions, {Steps} steps, loss {LossPercent}%, delay <= {MaxDelayMs} ms, " +
        $"crash {CrashPerMille}‰, split {PartitionPerMille}‰, reassign {ReassignPerMille}‰, write {WritePercent}%, stale {StalePercent}%" +
        (Unsafe == UnsafeRules.None ? "" : $", unsafe {Unsafe}") +
        (Substitutes ? ", substitutes" : "");
}
