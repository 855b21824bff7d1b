using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using DataCluster.Storage.Bench;

// "report [directory]" prints the storage figures (make bench-storage); the directory defaults to
// one under the system temp path, and should be on the disk the agent's volume would use. Anything
// else goes to BenchmarkDotNet, e.g. `-- --filter '*Append*'`.
if (args is ["report", ..])
{
    await Report.RunAsync(Console.Out, args.Length > 1 ? args[1] : Path.GetTempPath());
    return;
}

// In-process, because BenchmarkDotNet 0.14 does not know the net10.0 moniker for child processes.
var config = DefaultConfig.Instance.AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance));
BenchmarkSwitcher.FromAssembly(typeof(AppendBenchmarks).Assembly).Run(args, config);
