using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DataCluster.Storage.Bench;

/// <summary>
/// Prints, in plain lines, what group commit costs on this machine's disk: appends per second,
/// group-flush latency and single-fsync latency (p50/p99) for 256-byte records across 1, 16 and
/// 256 partitions under <see cref="FsyncPolicy.Always"/>; then the same 256-partition load with
/// fsyncs issued one after another and with more or fewer at once, which decides
/// <see cref="LogStoreOptions.DefaultFlushParallelism"/>.
/// </summary>
/// <remarks>
/// Each round appends <see cref="RecordsPerRound"/> records spread evenly over the partitions,
/// then flushes every dirty log together, as the agent's replication loop does. The work per
/// round is the same for every partition count, so the figures show what spreading it over more
/// files costs. Rounds run for <see cref="Duration"/> after a warm-up.
/// </remarks>
public static class Report
{
    /// <summary>A busy round of the replication loop: one 256-record batch to spread.</summary>
    private const int RecordsPerRound = 256;

    /// <summary>Long enough for a few hundred flushes on a disk with millisecond fsyncs, short enough to run all scenarios in a minute.</summary>
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(4);

    /// <summary>Warm-up: JIT, file creation and the first segment allocations out of the way.</summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    /// <summary>Repeats of the parallelism comparison, interleaved so that a burst of load from elsewhere hits every setting alike; the best run is reported.</summary>
    private const int Repeats = 3;

    public static async Task RunAsync(TextWriter output, string parent)
    {
        output.WriteLine($"storage report: {Environment.ProcessorCount} cores, .NET {Environment.Version}, directory {parent}");
        output.WriteLine($"each round: {RecordsPerRound} records with 256-byte bodies spread over the partitions, then one group flush (FsyncPolicy.Always)");
        foreach (var partitions in new[] { 1, 16, 256 })
        {
            output.WriteLine(await RunAsync(parent, partitions, LogStoreOptions.DefaultFlushParallelism));
        }

        output.WriteLine();
        output.WriteLine($"fsyncs at once (FlushParallelism), 256 partitions, best of {Repeats} interleaved runs:");
        int[] settings = [1, 4, 8, 16, 32, 64];
        var best = new Result?[settings.Length];
        for (var repeat = 0; repeat < Repeats; repeat++)
        {
            for (var i = 0; i < settings.Length; i++)
            {
                var result = await RunAsync(parent, 256, settings[i]);
                best[i] = best[i] is { } kept && kept.AppendsPerSecond >= result.AppendsPerSecond ? kept : result;
            }
        }

        foreach (var result in best)
        {
            output.WriteLine(result);
        }

        output.WriteLine();
        output.WriteLine("busier rounds: 16 records per partition per round");
        foreach (var partitions in new[] { 1, 16, 256 })
        {
            output.WriteLine(await RunAsync(parent, partitions, LogStoreOptions.DefaultFlushParallelism, 16 * partitions));
        }
    }

    private static async Task<Result> RunAsync(string parent, int partitions, int parallelism, int recordsPerRound = RecordsPerRound)
    {
        var directory = Path.Combine(parent, "datacluster-storage-bench-" + Guid.NewGuid().ToString("N"));
        var fsyncs = new List<double>();
        using var meters = new BenchMeterFactory();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == "datacluster.storage.fsync.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            lock (fsyncs)
            {
                fsyncs.Add(value);
            }
        });
        listener.Start();
        try
        {
            using var store = LogStore.Open(new LogStoreOptions { DataDirectory = directory, FlushParallelism = parallelism }, meterFactory: meters);
            var logs = Enumerable.Range(0, partitions).Select(store.OpenPartition).ToArray();
            var body = new byte[256];
            var key = "entity-42"u8.ToArray();
            var flushes = new List<double>();
            long records = 0;
            var start = Stopwatch.GetTimestamp();
            var measuring = false;
            var next = 0;
            while (true)
            {
                var elapsed = Stopwatch.GetElapsedTime(start);
                if (!measuring && elapsed >= WarmUp)
                {
                    measuring = true;
                    lock (fsyncs)
                    {
                        fsyncs.Clear();
                    }

                    start = Stopwatch.GetTimestamp();
                    continue;
                }

                if (measuring && elapsed >= Duration)
                {
                    break;
                }

                for (var i = 0; i < recordsPerRound; i++)
                {
                    var log = logs[next++ % partitions];
                    log.Append(new LogRecord(log.NextOffset, 1, RecordKind.Data, 1_700_000_000_000, key, "application/json", body));
                }

                var flushStart = Stopwatch.GetTimestamp();
                await store.FlushAsync().ConfigureAwait(false);
                if (measuring)
                {
                    flushes.Add(Stopwatch.GetElapsedTime(flushStart).TotalMilliseconds);
                    records += recordsPerRound;
                }
            }

            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double[] fsyncMs;
            lock (fsyncs)
            {
                fsyncMs = [.. fsyncs.Select(s => s * 1000)];
            }

            return new Result(partitions, parallelism, recordsPerRound, records / seconds, flushes.Count / seconds,
                Percentile(flushes, 0.50), Percentile(flushes, 0.99), Percentile(fsyncMs, 0.50), Percentile(fsyncMs, 0.99), fsyncMs.Length / Math.Max(1, flushes.Count));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static double Percentile(IReadOnlyCollection<double> values, double quantile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(quantile * sorted.Length) - 1)];
    }

    /// <summary>The figures of one run.</summary>
    private sealed record Result(int Partitions, int Parallelism, int RecordsPerRound, double AppendsPerSecond, double FlushesPerSecond,
        double FlushP50, double FlushP99, double FsyncP50, double FsyncP99, int FsyncsPerFlush)
    {
        public override string ToString() =>
            $"{Partitions,3} partitions, {Parallelism,2} fsyncs at once, {RecordsPerRound,4} records per round: {AppendsPerSecond,9:N0} appends/s, {FlushesPerSecond,6:N0} flushes/s; " +
            $"group flush p50 {FlushP50:F2} ms p99 {FlushP99:F2} ms; one fsync p50 {FsyncP50:F2} ms p99 {FsyncP99:F2} ms ({FsyncsPerFlush} per flush)";
    }

    /// <summary>Meters scoped to one run, so its listener sees no other store's fsyncs.</summary>
    private sealed class BenchMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(new MeterOptions(options.Name) { Scope = this });
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
