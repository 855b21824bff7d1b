using System.Globalization;
using DataCluster.LocalCluster;
using DataCluster.Writes.Bench;

// make bench-writes: `report` runs three agents (QUORUM, fsync on) and a three-member etcd
// (fsync on) with 1, 16 and 64 clients and prints one table, then the agents' memory; at one
// client it also runs the bare pipeline (FloorCluster), the least a replicated write costs here.
// `etcd` runs etcd alone, `agents` the agents alone, `floor` the bare pipeline and etcd at one
// client (--floor-level ONE: its leader does not wait for a follower). Options: --seconds N (measured window),
// --payload BYTES, --settle N (seconds idle before the idle figures are taken), --env NAME=VALUE
// (repeatable: a variable on the agent container, through the DataCluster's spec.agent.env, to
// compare a runtime setting against the defaults), --rounds N (run the agents and etcd in turn N
// times, each on fresh processes, and judge the target on the medians: one run on a shared
// machine moves by 15 % or more), --clients 1,16 (only these client counts, for a quicker look).
if (FloorCluster.IsMember(args))
{
    return FloorCluster.RunMember(args);
}

var mode = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "report";
if (mode is not ("report" or "agents" or "etcd" or "disk" or "floor"))
{
    Console.Error.WriteLine($"bench-writes: unknown mode '{mode}': use report, agents, etcd, floor or disk");
    return 2;
}

var seconds = Option("--seconds", 10);
var payload = Option("--payload", 256);
var settle = Option("--settle", 30);
var rounds = Option("--rounds", 1);
if (rounds < 1)
{
    Console.Error.WriteLine("bench-writes: --rounds takes a whole number from 1");
    return 2;
}

var clientCounts = mode == "floor" ? [1] : ClientCounts();
if (clientCounts is null)
{
    Console.Error.WriteLine("bench-writes: --clients takes whole numbers from 1, separated by commas (1,16,64)");
    return 2;
}

var agentEnvironment = EnvironmentOptions();
if (agentEnvironment is null)
{
    Console.Error.WriteLine("bench-writes: --env takes NAME=VALUE");
    return 2;
}

// --floor-level ONE: the bare pipeline's leader answers after its own fdatasync, without waiting
// for a follower; what the follower's round trip costs there, against the agents' at ONE.
var floorLevel = Array.IndexOf(args, "--floor-level") is var at and >= 0 && at + 1 < args.Length ? args[at + 1].ToUpperInvariant() : "QUORUM";
if (floorLevel is not ("ONE" or "QUORUM"))
{
    Console.Error.WriteLine("bench-writes: --floor-level takes ONE or QUORUM");
    return 2;
}

const int IdleCpuSeconds = 10;
var etcd = Environment.GetEnvironmentVariable("DATACLUSTER_ETCD")
    ?? Path.Combine(Environment.GetEnvironmentVariable("KUBEBUILDER_ASSETS") ?? "", "etcd");
if (mode != "agents" && !File.Exists(etcd))
{
    Console.Error.WriteLine($"bench-writes: no etcd at '{etcd}': set KUBEBUILDER_ASSETS (make envtest prints it) or DATACLUSTER_ETCD");
    return 2;
}

var value = new byte[payload];
Random.Shared.NextBytes(value);
var work = Path.Combine(Path.GetTempPath(), "datacluster-bench-writes");
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

Console.WriteLine($"writes of {payload} B, fsync on, {seconds} s measured after 2 s warm-up, closed loop, {Environment.ProcessorCount} cores");
// CPU per write: what the three agents (or etcd members) used together during the measured
// window, divided by the writes acknowledged in it; less sensitive than writes/s to what else
// the machine runs, so it compares builds and settings on a busy machine too.
if (mode != "disk")
{
    Console.WriteLine($"{"system",-26} {"clients",7} {"writes/s",10} {"p50 ms",8} {"p99 ms",8} {"errors",7} {"CPU us/write",12}");
}

var rows = new List<string>();
if (mode is "report" or "disk")
{
    // Measured before anything else runs: the floor under a one-client write, for both systems.
    var disk = DiskFloor.Measure(Path.Combine(work, "disk-floor"));
    rows.Add(string.Create(CultureInfo.InvariantCulture,
        $"fdatasync of 4 KiB here, p50 / p99 ms: {disk.AloneP50:F2} / {disk.AloneP99:F2} one at a time, {disk.ThreeP50:F2} / {disk.ThreeP99:F2} three at once (three members, one disk)"));
}

var agentResults = new Dictionary<int, List<LoadResult>>();
var etcdResults = new Dictionary<int, List<LoadResult>>();
var floorResults = new List<LoadResult>();
for (var round = 1; round <= rounds; round++)
{
    var label = rounds == 1 ? "" : $" #{round}";
    if (mode is "report" or "agents")
    {
        await using var agents = await AgentCluster.StartAsync(RepositoryLayout.Root(), clientCounts.Max(), agentEnvironment, cancel.Token);
        // Idle: the ring formed, nothing written yet; time for start-up garbage and the JIT's tiering to settle.
        await Task.Delay(TimeSpan.FromSeconds(round == 1 ? settle : Math.Min(settle, 5)), cancel.Token);
        var idle = agents.ResidentBytes();
        if (round == 1)
        {
            // Idle CPU: what each agent burns with 256 partitions and nothing to write (ticks, heartbeats, status upkeep).
            var cpuBefore = agents.CpuSeconds();
            await Task.Delay(TimeSpan.FromSeconds(IdleCpuSeconds), cancel.Token);
            var idleCpu = agents.CpuSeconds().Zip(cpuBefore, (after, before) => (after - before) / IdleCpuSeconds);
            rows.Add($"agent RSS idle (256 partitions, 3 members): {Mib(idle)}");
            rows.Add($"agent CPU idle, share of one core:           {string.Join(", ", idleCpu.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c * 100:F1} %")))}");
        }

        var loaded = new long[idle.Count];
        foreach (var clients in clientCounts)
        {
            using var sampling = new CancellationTokenSource();
            var sampler = SampleAsync(agents, loaded, sampling.Token);
            var cpuAtWindow = CpuAtWindowAsync(() => agents.CpuSeconds().Sum(), cancel.Token);
            var result = await LoadGenerator.RunAsync(clients, Warmup, TimeSpan.FromSeconds(seconds),
                (client, n, ct) => agents.WriteAsync($"bench-{client}-{n}", value, ct), cancel.Token);
            var cpu = agents.CpuSeconds().Sum() - await cpuAtWindow;
            await sampling.CancelAsync();
            await sampler;
            Print("agents 3 members QUORUM" + label, result, cpu);
            Add(agentResults, result);
        }

        rows.Add(rounds == 1 ? $"agent RSS peak under the load above:         {Mib(loaded)}" : $"agent RSS peak under the load, round {round}:      {Mib(loaded)}");
    }

    if (mode is "floor" || (mode is "report" && clientCounts.Contains(1)))
    {
        // One client's floor here: the same load generator against a bare leader and two followers (FloorCluster).
        await using var floor = await FloorCluster.StartAsync(work, floorLevel != "ONE", cancel.Token);
        var cpuAtWindow = CpuAtWindowAsync(floor.CpuSeconds, cancel.Token);
        var result = await LoadGenerator.RunAsync(1, Warmup, TimeSpan.FromSeconds(seconds),
            (client, n, ct) => floor.WriteAsync($"bench-{client}-{n}", value, ct), cancel.Token);
        Print($"bare pipeline {(floorLevel == "ONE" ? "ONE" : "QUORUM")}" + label, result, floor.CpuSeconds() - await cpuAtWindow);
        floorResults.Add(result);
    }

    if (mode is "report" or "etcd" or "floor")
    {
        foreach (var clients in clientCounts)
        {
            await using var cluster = await EtcdCluster.StartAsync(etcd, work, clients, cancel.Token);
            var cpuAtWindow = CpuAtWindowAsync(cluster.CpuSeconds, cancel.Token);
            var result = await LoadGenerator.RunAsync(clients, Warmup, TimeSpan.FromSeconds(seconds),
                (client, n, ct) => cluster.PutAsync($"bench/{client}/{n}", value, ct), cancel.Token);
            Print("etcd 3 members" + label, result, cluster.CpuSeconds() - await cpuAtWindow);
            Add(etcdResults, result);
        }
    }
}

foreach (var row in rows)
{
    Console.WriteLine(row);
}

// The target, judged on this run: at least twice etcd's writes/s at no worse p99. Over
// several rounds: each round's ratio, then the medians of writes/s and p99 of each system.
foreach (var clients in clientCounts.Where(c => agentResults.ContainsKey(c) && etcdResults.ContainsKey(c)))
{
    var (ours, theirs) = (agentResults[clients], etcdResults[clients]);
    var perRound = ours.Zip(theirs, (a, e) => e.PerSecond == 0 ? double.PositiveInfinity : a.PerSecond / e.PerSecond).ToList();
    var (oursRate, theirsRate) = (Median(ours.Select(r => r.PerSecond)), Median(theirs.Select(r => r.PerSecond)));
    var (oursP99, theirsP99) = (Median(ours.Select(r => r.Percentile(99))), Median(theirs.Select(r => r.Percentile(99))));
    var ratio = theirsRate == 0 ? double.PositiveInfinity : oursRate / theirsRate;
    var met = ratio >= 2 && oursP99 <= theirsP99;
    var detail = perRound.Count == 1 ? "" : string.Create(CultureInfo.InvariantCulture, $" (medians of {perRound.Count} rounds; per round {string.Join(", ", perRound.Select(r => $"{r:F2}x"))})");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"agents against etcd at {clients,2} clients: {ratio:F2}x writes/s, p99 {oursP99:F2} against {theirsP99:F2} ms{detail}: target (2x at no worse p99) {(met ? "met" : "not met")}"));
}

if (floorResults.Count > 0 && etcdResults.TryGetValue(1, out var etcdOne))
{
    // How far one client can go here at all: twice etcd at one client needs the floor above 2x.
    var floorRate = Median(floorResults.Select(r => r.PerSecond));
    var line = string.Create(CultureInfo.InvariantCulture,
        $"bare pipeline against etcd at  1 client:  {floorRate / Median(etcdOne.Select(r => r.PerSecond)):F2}x writes/s, p50 {Median(floorResults.Select(r => r.Percentile(50))):F2} against {Median(etcdOne.Select(r => r.Percentile(50))):F2} ms");
    if (agentResults.TryGetValue(1, out var agentsOne))
    {
        line += string.Create(CultureInfo.InvariantCulture, $"; the agents reach {Median(agentsOne.Select(r => r.PerSecond)) / floorRate:P0} of the floor's writes/s");
    }

    Console.WriteLine(line);
}

return 0;

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

int[]? ClientCounts()
{
    var i = Array.IndexOf(args, "--clients");
    if (i < 0)
    {
        return [1, 16, 64];
    }

    var counts = (i + 1 < args.Length ? args[i + 1] : "").Split(',');
    var parsed = counts.Select(c => int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n : 0).ToArray();
    return parsed.Length == 0 || parsed.Contains(0) ? null : parsed;
}

List<KeyValuePair<string, string>>? EnvironmentOptions()
{
    var variables = new List<KeyValuePair<string, string>>();
    for (var i = 0; i < args.Length; i++)
    {
        if (args[i] != "--env")
        {
            continue;
        }

        var pair = i + 1 < args.Length ? args[i + 1] : "";
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            return null;
        }

        variables.Add(new(pair[..equals], pair[(equals + 1)..]));
    }

    return variables;
}

static void Add(Dictionary<int, List<LoadResult>> results, LoadResult result)
{
    if (!results.TryGetValue(result.Clients, out var list))
    {
        results[result.Clients] = list = [];
    }

    list.Add(result);
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static void Print(string system, LoadResult result, double cpuSeconds) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{system,-26} {result.Clients,7} {result.PerSecond,10:F0} {result.Percentile(50),8:F2} {result.Percentile(99),8:F2} {result.Errors,7} {(result.Writes == 0 ? 0 : cpuSeconds * 1e6 / result.Writes),12:F0}"));

// The CPU reading when the warm-up ends and the measured window begins.
static async Task<double> CpuAtWindowAsync(Func<double> read, CancellationToken cancellationToken)
{
    await Task.Delay(Warmup, cancellationToken);
    return read();
}

static string Mib(IEnumerable<long> bytes) =>
    string.Join(", ", bytes.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b / 1048576.0:F1} MiB")));

static async Task SampleAsync(AgentCluster agents, long[] peak, CancellationToken stop)
{
    try
    {
        while (!stop.IsCancellationRequested)
        {
            var now = agents.ResidentBytes();
            for (var i = 0; i < Math.Min(now.Count, peak.Length); i++)
            {
                peak[i] = Math.Max(peak[i], now[i]);
            }

            await Task.Delay(250, stop);
        }
    }
    catch (OperationCanceledException)
    {
        // The run ended.
    }
}

internal static partial class Program
{
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(2);
}
