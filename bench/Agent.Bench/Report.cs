using System.Diagnostics;
using System.Globalization;
using DataCluster.LocalCluster;
using DataCluster.LocalCluster.ControlPlane;

namespace DataCluster.Agent.Bench;

/// <summary>
/// Prints, in plain lines, the agent's footprint: published size, idle RSS of each agent of a
/// small cluster with 256 partitions (median of one sample a second), per-agent RSS of a larger
/// cluster, the hello-world floor, and the ring formation and failover times that a memory
/// setting must not slow down.
/// </summary>
/// <remarks>
/// The agents are the published executables, run as processes against a real API server (etcd
/// and kube-apiserver from make envtest). RSS is VmRSS from /proc/PID/status, split into RssAnon
/// (heaps, stacks, JIT code) and RssFile (mapped executable and libraries, shared between
/// processes running the same files). The machine's load average is printed: on a loaded
/// machine the times stretch, the memory figures hardly move.
/// </remarks>
internal static class Report
{
    /// <summary>Formation and failover take seconds (lease 6 s); beyond this something is broken.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    /// <summary>No new assignment for this long after the ring formed: the agents are idle.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(ReportSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.Agent))
        {
            await output.WriteLineAsync($"no published agent at {settings.Agent}: run make publish-agent").ConfigureAwait(false);
            return 2;
        }

        if (!EnvtestAssets.TryLocate(out var assets, out var problem))
        {
            await output.WriteLineAsync(problem).ConfigureAwait(false);
            return 2;
        }

        var folder = Path.GetDirectoryName(settings.Agent)!;
        output.WriteLine($"agent report: {Environment.ProcessorCount} cores, load average {Load()}, {settings.Partitions} partitions, agent {settings.Agent}");
        if (settings.Environment.Count > 0)
        {
            output.WriteLine($"agent environment: {string.Join(' ', settings.Environment.Select(e => $"{e.Key}={e.Value}"))}");
        }

        output.WriteLine($"published size: {Footprint.Mib(Footprint.DirectoryBytes(folder))} MiB ({Footprint.DirectoryBytes(folder):N0} bytes, {Directory.GetFiles(folder).Length} files in {folder})");
        await using var plane = await LocalControlPlane.StartAsync(assets!, withControllers: false, cancellationToken).ConfigureAwait(false);

        await SmallAsync(plane, settings, settings.Environment, "", output, cancellationToken).ConfigureAwait(false);
        foreach (var trial in settings.Trials)
        {
            var environment = new Dictionary<string, string>(settings.Environment);
            foreach (var (name, value) in trial)
            {
                environment[name] = value;
            }

            await SmallAsync(plane, settings, environment, $"[{string.Join(' ', trial.Select(t => $"{t.Key}={t.Value}"))}] ", output, cancellationToken).ConfigureAwait(false);
        }

        if (settings.Large > 0)
        {
            await using var large = await BenchCluster.CreateAsync(plane, settings.Agent, settings.Large, settings.Partitions, settings.Environment, cancellationToken).ConfigureAwait(false);
            var formed = await FormAsync(large, settings.Large, cancellationToken).ConfigureAwait(false);
            output.WriteLine($"ring formed, {settings.Large} members: {formed.TotalSeconds:F1} s (load {Load()})");
            var idle = await IdleRssAsync(large, settings, cancellationToken).ConfigureAwait(false);
            var rss = idle.Select(x => x.Rss).ToList();
            output.WriteLine($"idle RSS, {settings.Large} members: median {Footprint.Mib(Footprint.Median(rss))} MiB per agent (min {Footprint.Mib(rss.Min())}, max {Footprint.Mib(rss.Max())}), {Footprint.Mib(rss.Sum())} MiB in all; anon median {Footprint.Mib(Footprint.Median(idle.Select(x => x.Anon)))} MiB");
        }

        if (settings.Hello is { } hello)
        {
            var (rss, bytes) = await HelloAsync(hello, plane.RunDirectory, settings.Sampling, cancellationToken).ConfigureAwait(false);
            output.WriteLine($"hello world (trimmed, ReadyToRun ASP.NET Core, one route): idle RSS {Footprint.Mib(rss.Rss)} MiB (anon {Footprint.Mib(rss.Anon)}, file {Footprint.Mib(rss.File)}), published {Footprint.Mib(bytes)} MiB");
        }

        return 0;
    }

    /// <summary>A cluster of <see cref="ReportSettings.Members"/>: formation, idle RSS of each agent, failover; every line starts with <paramref name="label"/>.</summary>
    private static async Task SmallAsync(LocalControlPlane plane, ReportSettings settings, IReadOnlyDictionary<string, string> environment, string label, TextWriter output, CancellationToken cancellationToken)
    {
        await using var small = await BenchCluster.CreateAsync(plane, settings.Agent, settings.Members, settings.Partitions, environment, cancellationToken).ConfigureAwait(false);
        var formed = await FormAsync(small, settings.Members, cancellationToken).ConfigureAwait(false);
        output.WriteLine($"{label}ring formed, {settings.Members} members: {formed.TotalSeconds:F1} s from start to every agent serving the same assignment of all members (load {Load()})");
        var idle = await IdleRssAsync(small, settings, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < idle.Count; i++)
        {
            output.WriteLine($"{label}idle RSS {small.Agents[i].Pod}: {Footprint.Mib(idle[i].Rss)} MiB (anon {Footprint.Mib(idle[i].Anon)}, file {Footprint.Mib(idle[i].File)})");
        }

        if (label.Length == 0)
        {
            var mappings = Footprint.Mappings(small.Agents[0].Process.Pid, 25);
            output.WriteLine($"{label}largest resident mappings of {small.Agents[0].Pod}: {string.Join(", ", mappings.Select(m => $"{m.Mapping} {Footprint.Mib(m.Rss)}"))} (MiB)");
        }

        output.WriteLine($"{label}idle RSS, {settings.Members} members: median {Footprint.Mib(Footprint.Median(idle.Select(x => x.Rss)))} MiB (target <= 64; load {Load()})");
        var failover = await FailoverAsync(small, cancellationToken).ConfigureAwait(false);
        output.WriteLine($"{label}failover after kill -9 of the cluster leader: {failover.TotalSeconds:F1} s until every survivor serves an assignment without it (lease 6 s; load {Load()})");
    }

    /// <summary>Starts the agents and returns how long until all serve one assignment of every member.</summary>
    private static async Task<TimeSpan> FormAsync(BenchCluster cluster, int members, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        cluster.StartAgents(members);
        await UntilAsync(async () =>
        {
            var rings = await RingsAsync(cluster.Agents, cancellationToken).ConfigureAwait(false);
            return rings.All(r => r is not null && r.Holding.Count == members) && rings.Select(r => r!.Epoch).Distinct().Count() == 1;
        }, cluster, "the ring forms", cancellationToken).ConfigureAwait(false);
        return watch.Elapsed;
    }

    /// <summary>Waits until no new assignment for <see cref="Quiet"/>, then samples every agent's RSS.</summary>
    private static async Task<IReadOnlyList<(long Rss, long Anon, long File)>> IdleRssAsync(BenchCluster cluster, ReportSettings settings, CancellationToken cancellationToken)
    {
        var epoch = -1L;
        var since = Stopwatch.StartNew();
        while (since.Elapsed < Quiet)
        {
            var now = (await RingsAsync(cluster.Agents, cancellationToken).ConfigureAwait(false)).Max(r => r?.Epoch ?? -1);
            if (now != epoch)
            {
                epoch = now;
                since.Restart();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
        }

        return await Footprint.MedianRssAsync([.. cluster.Agents.Select(a => a.Process.Pid)], settings.Sampling, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Kills the cluster leader with SIGKILL and returns how long until every survivor serves an assignment without it.</summary>
    private static async Task<TimeSpan> FailoverAsync(BenchCluster cluster, CancellationToken cancellationToken)
    {
        var leader = (await cluster.Agents[0].RingAsync(cancellationToken).ConfigureAwait(false))?.Leader
            ?? throw new InvalidOperationException("no cluster leader is known");
        var victim = cluster.Agents.Single(a => a.Pod == leader);
        var survivors = cluster.Agents.Where(a => a != victim).ToList();
        var watch = Stopwatch.StartNew();
        await victim.Process.KillAsync().ConfigureAwait(false);
        await UntilAsync(async () =>
        {
            var rings = await RingsAsync(survivors, cancellationToken).ConfigureAwait(false);
            return rings.All(r => r is not null && !r.Holding.Contains(victim.Pod) && r.Holding.Count == survivors.Count);
        }, cluster, "the survivors take over the killed leader's partitions", cancellationToken).ConfigureAwait(false);
        return watch.Elapsed;
    }

    private static async Task<((long Rss, long Anon, long File) Rss, long Bytes)> HelloAsync(string binary, string runDirectory, TimeSpan sampling, CancellationToken cancellationToken)
    {
        var url = $"http://127.0.0.1:{FreePort.OnLoopback()}";
        await using var hello = ChildProcess.Start("hello", binary, [], runDirectory, new Dictionary<string, string> { ["HELLO_URL"] = url });
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var answered = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/", cancellationToken).ConfigureAwait(false)).IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException) when (answered.Elapsed < Patience && !hello.HasExited)
            {
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }

        var rss = await Footprint.MedianRssAsync([hello.Pid], sampling, cancellationToken).ConfigureAwait(false);
        return (rss[0], Footprint.DirectoryBytes(Path.GetDirectoryName(binary)!));
    }

    private static async Task<RingState?[]> RingsAsync(IEnumerable<AgentProcess> agents, CancellationToken cancellationToken) =>
        await Task.WhenAll(agents.Select(a => a.RingAsync(cancellationToken))).ConfigureAwait(false);

    private static async Task UntilAsync(Func<Task<bool>> condition, BenchCluster cluster, string what, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition().ConfigureAwait(false))
        {
            if (deadline.Elapsed > Patience)
            {
                var exited = cluster.Agents.Where(a => a.Process.HasExited).Select(a => $"{a.Pod} exited with {a.Process.ExitCode}:\n{a.Process.Tail()}");
                throw new TimeoutException($"{what}: not within {Patience.TotalMinutes} minutes. {string.Join('\n', exited)}");
            }

            // Polling the agents' own API is cheap; 100 ms keeps the timing error small.
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}
