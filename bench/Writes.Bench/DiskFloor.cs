using System.Diagnostics;
using DataCluster.Storage.Files;

namespace DataCluster.Writes.Bench;

/// <summary>
/// What the disk alone costs a replicated write here: the latency of one fdatasync of a 4 KiB
/// page, one at a time and three at once (three members on one disk, as in this bench, each
/// syncing its own file). Both systems wait for at least two of the three; a single-client
/// write cannot be faster than that, whatever the servers do.
/// </summary>
internal static class DiskFloor
{
    private const int Syncs = 400;
    private const int PageBytes = 4096;

    /// <summary>Measures in <paramref name="directory"/>: p50 and p99 in ms, alone and three at once.</summary>
    public static (double AloneP50, double AloneP99, double ThreeP50, double ThreeP99) Measure(string directory)
    {
        Directory.CreateDirectory(directory);
        var alone = Run(directory, writers: 1);
        var three = Run(directory, writers: 3);
        return (Percentile(alone, 50), Percentile(alone, 99), Percentile(three, 50), Percentile(three, 99));
    }

    private static List<double> Run(string directory, int writers)
    {
        using var barrier = new Barrier(writers);
        var latencies = new List<double>[writers];
        var threads = new Thread[writers];
        for (var w = 0; w < writers; w++)
        {
            var index = w;
            latencies[index] = new List<double>(Syncs);
            threads[index] = new Thread(() => Sync(Path.Combine(directory, $"disk-floor-{index}"), barrier, latencies[index]));
            threads[index].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        return latencies.SelectMany(l => l).ToList();
    }

    /// <summary>Rewrites a few hundred bytes of one page of an allocated file and fdatasyncs it, like a write-ahead log after its extension.</summary>
    private static void Sync(string path, Barrier barrier, List<double> latencies)
    {
        var page = new byte[PageBytes];
        using (var handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite))
        {
            RandomAccess.Write(handle, new byte[PageBytes * 64], 0);
            DurableFile.SyncData(handle);
            Random.Shared.NextBytes(page);
            for (var i = 0; i < Syncs; i++)
            {
                barrier.SignalAndWait();
                var started = Stopwatch.GetTimestamp();
                RandomAccess.Write(handle, page.AsSpan(0, 300), (i % 64) * PageBytes);
                DurableFile.SyncData(handle);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        File.Delete(path);
    }

    private static double Percentile(List<double> values, int percentile)
    {
        values.Sort();
        return values[Math.Min(values.Count - 1, values.Count * percentile / 100)];
    }
}
