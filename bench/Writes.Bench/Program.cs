using System.Globalization;
using DataCluster.Writes.Bench;

// make bench-writes: `report` runs etcd and the agents with 1, 16 and 64 clients and prints one
// table; `etcd` runs etcd alone. Options: --seconds N (measured window), --payload BYTES.
var seconds = Option("--seconds", 10);
var payload = Option("--payload", 256);
var clientCounts = new[] { 1, 16, 64 };
var etcd = Environment.GetEnvironmentVariable("DATACLUSTER_ETCD")
    ?? Path.Combine(Environment.GetEnvironmentVariable("KUBEBUILDER_ASSETS") ?? "", "etcd");
if (!File.Exists(etcd))
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

Console.WriteLine($"writes of {payload} B, fsync on, {seconds} s measured after 2 s warm-up, closed loop");
Console.WriteLine($"{"system",-22} {"clients",7} {"writes/s",10} {"p50 ms",8} {"p99 ms",8} {"errors",7}");
foreach (var clients in clientCounts)
{
    await using var cluster = await EtcdCluster.StartAsync(etcd, work, clients, cancel.Token);
    var result = await LoadGenerator.RunAsync(clients, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(seconds),
        (client, n, ct) => cluster.PutAsync($"bench/{client}/{n}", value, ct), cancel.Token);
    Print("etcd 3 members", result);
}

return 0;

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static void Print(string system, LoadResult result) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{system,-22} {result.Clients,7} {result.PerSecond,10:F0} {result.Percentile(50),8:F2} {result.Percentile(99),8:F2} {result.Errors,7}"));
