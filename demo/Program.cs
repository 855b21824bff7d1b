using System.Runtime.InteropServices;

namespace DataCluster.Demo;

/// <summary>
/// <c>datacluster-demo [--once]</c>: runs the local demo and, unless --once (or DEMO_EXIT=1) is
/// given, waits for Ctrl-C before cleaning up. Exit codes: 0 after a complete run, 1 when a step
/// failed (the message says which and why), 2 for bad arguments, 130 when interrupted before the
/// demo finished.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["--help"] or ["-h"])
        {
            Console.Out.WriteLine("usage: datacluster-demo [--once]\n  --once   run every step and exit (also DEMO_EXIT=1); otherwise wait for Ctrl-C, then clean up");
            return 0;
        }

        if (args.Length > 1 || (args.Length == 1 && args[0] != "--once"))
        {
            Console.Error.WriteLine($"datacluster-demo: unknown argument '{args[0]}'; usage: datacluster-demo [--once]");
            return 2;
        }

        var once = args is ["--once"] || Environment.GetEnvironmentVariable("DEMO_EXIT") is "1" or "true";
        using var stop = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // clean up first, then exit
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        return await new Demo(Console.Out, once).RunAsync(stop.Token);
    }
}
