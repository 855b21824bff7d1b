using System.Diagnostics;

namespace DataCluster.Writes.Bench;

/// <summary>What one load run measured.</summary>
/// <param name="Clients">Concurrent clients.</param>
/// <param name="Writes">Writes acknowledged during the measured window.</param>
/// <param name="Errors">Writes that failed during the window (not counted in latency).</param>
/// <param name="Elapsed">Length of the measured window.</param>
/// <param name="Latencies">Sorted latencies of the acknowledged writes, in milliseconds.</param>
public sealed record LoadResult(int Clients, long Writes, long Errors, TimeSpan Elapsed, double[] Latencies)
{
    public double PerSecond => Writes / Elapsed.TotalSeconds;

    public double Percentile(double p) =>
        Latencies.Length == 0 ? double.NaN : Latencies[Math.Min(Latencies.Length - 1, (int)Math.Ceiling(p / 100 * Latencies.Length) - 1)];
}

/// <summary>
/// A closed-loop load generator: each client issues one write, waits for its answer, and issues
/// the next, for a warm-up and then a measured window. The same generator drives the agents and
/// etcd, so both are measured the same way.
/// </summary>
public static class LoadGenerator
{
    /// <summary>Runs <paramref name="clients"/> clients calling <paramref name="write"/> (client index, sequence number) until the window ends.</summary>
    /// <param name="write">One write; true when acknowledged, false when refused (counted as an error).</param>
    public static async Task<LoadResult> RunAsync(int clients, TimeSpan warmup, TimeSpan window, Func<int, long, CancellationToken, Task<bool>> write, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var measureFrom = warmup;
        var stopAt = warmup + window;
        var perClient = new List<double>[clients];
        var errors = new long[clients];
        var workers = Enumerable.Range(0, clients).Select(async client =>
        {
            var latencies = perClient[client] = new List<double>(1 << 14);
            for (long n = 0; ; n++)
            {
                var started = clock.Elapsed;
                if (started >= stopAt || cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                bool ok;
                try
                {
                    ok = await write(client, n, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    ok = false;
                }

                var ended = clock.Elapsed;
                if (started >= measureFrom && ended <= stopAt)
                {
                    if (ok)
                    {
                        latencies.Add((ended - started).TotalMilliseconds);
                    }
                    else
                    {
                        errors[client]++;
                    }
                }
            }
        }).ToList();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var all = perClient.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new LoadResult(clients, all.Length, errors.Sum(), window, all);
    }
}
