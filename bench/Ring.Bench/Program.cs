using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using DataCluster.Ring.Bench;

// "report" prints the figures the ring is held to (make bench-ring); anything else goes to
// BenchmarkDotNet, e.g. `-- --filter '*LeaderOfKey*'`.
if (args is ["report", ..])
{
    Report.Run(Console.Out);
    return;
}

// In-process, because BenchmarkDotNet 0.14 does not know the net10.0 moniker for child processes.
var config = DefaultConfig.Instance.AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance));
BenchmarkSwitcher.FromAssembly(typeof(RingBenchmarks).Assembly).Run(args, config);
