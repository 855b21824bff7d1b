using System.Diagnostics.Metrics;
using DataCluster.Storage;
using Microsoft.Extensions.Time.Testing;

namespace DataCluster.Storage.Tests;

/// <summary>The store: directory lock, group flush, fsync policies, options and metrics.</summary>
public sealed class LogStoreTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void A_second_store_on_the_same_directory_is_refused_until_the_first_closes()
    {
        using var harness = new StoreHarness();
        var refused = Assert.Throws<IOException>(() => LogStore.Open(harness.Options));
        Assert.Contains(harness.Root, refused.Message, StringComparison.Ordinal);
        Assert.Contains("in use", refused.Message, StringComparison.Ordinal);

        harness.Store.Dispose();
        using var second = LogStore.Open(harness.Options);
        Assert.Empty(second.PartitionsOnDisk());
    }

    [Fact]
    public async Task A_group_flush_makes_every_dirty_log_durable_and_a_crash_keeps_them_all()
    {
        using var harness = new StoreHarness(o => o with { SegmentBytes = 4096 });
        var logs = Enumerable.Range(0, 40).Select(p => harness.Store.OpenPartition(p)).ToList();
        foreach (var log in logs)
        {
            Records.AppendUpTo(log, 10 + log.Partition, term: 1, bodyBytes: 100);
        }

        await harness.Store.FlushAsync(Cancel);
        Assert.All(logs, log => Assert.Equal(log.NextOffset, log.DurableOffset));

        foreach (var log in logs.Where(l => l.Partition % 2 == 0))
        {
            Records.AppendUpTo(log, log.NextOffset + 50, term: 2, bodyBytes: 100);
        }

        await harness.Store.FlushAsync(logs.Where(l => l.Partition % 4 == 0).ToList(), Cancel);
        harness.CrashAndReopen();
        Assert.Equal([.. Enumerable.Range(0, 40)], harness.Store.PartitionsOnDisk());
        for (var partition = 0; partition < 40; partition++)
        {
            var reopened = harness.Store.OpenPartition(partition);
            var expected = 10 + partition + (partition % 4 == 0 ? 50 : 0);
            Assert.Equal(expected, reopened.NextOffset);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(64)]
    public async Task A_group_flush_with_any_parallelism_makes_every_log_durable(int parallelism)
    {
        using var harness = new StoreHarness(o => o with { FlushParallelism = parallelism });
        var logs = Enumerable.Range(0, 20).Select(p => harness.Store.OpenPartition(p)).ToList();
        foreach (var log in logs)
        {
            Records.AppendUpTo(log, 5, term: 1);
        }

        await harness.Store.FlushAsync(Cancel);
        Assert.All(logs, log => Assert.Equal(5, log.DurableOffset));
        harness.Store.Dispose();
        harness.Reopen(0);
        Assert.All(Enumerable.Range(0, 20), p => Assert.Equal(5, harness.Store.OpenPartition(p).NextOffset));
    }

    [Fact]
    public async Task A_log_of_another_store_cannot_be_flushed_here()
    {
        using var first = new StoreHarness();
        using var second = new StoreHarness();
        var foreign = second.Log(1);
        var refused = await Assert.ThrowsAsync<ArgumentException>(async () => await first.Store.FlushAsync([foreign], Cancel));
        Assert.Contains("not opened by this store", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(async () => await first.Store.FlushAsync([new MemoryPartitionLog(1)], Cancel));
    }

    [Fact]
    public async Task Under_the_interval_policy_a_flush_syncs_only_once_the_interval_has_passed_and_then_syncs_every_log_written_since()
    {
        var time = new FakeTimeProvider();
        using var harness = new StoreHarness(o => o with { FsyncPolicy = FsyncPolicy.Interval, FsyncInterval = TimeSpan.FromMilliseconds(100) }, time);
        var a = harness.Log(0);
        var b = harness.Log(1);
        time.Advance(TimeSpan.FromSeconds(1));
        Records.AppendUpTo(a, 10, term: 1);
        await harness.Store.FlushAsync([a], Cancel);
        var syncedA = a.ActiveSegmentSyncedLength;
        Assert.Equal(10, a.DurableOffset);

        Records.AppendUpTo(a, 20, term: 1);
        await harness.Store.FlushAsync([a], Cancel);
        Assert.Equal(20, a.DurableOffset);
        Assert.Equal(syncedA, a.ActiveSegmentSyncedLength);
        Assert.True(new FileInfo(a.ActiveSegmentPath).Length > syncedA, "an unsynced flush still hands the bytes to the OS");

        time.Advance(TimeSpan.FromMilliseconds(100));
        Records.AppendUpTo(b, 5, term: 1);
        await harness.Store.FlushAsync([b], Cancel);
        Assert.Equal(new FileInfo(a.ActiveSegmentPath).Length, a.ActiveSegmentSyncedLength);
        Assert.Equal(new FileInfo(b.ActiveSegmentPath).Length, b.ActiveSegmentSyncedLength);
    }

    [Fact]
    public async Task Under_the_never_policy_flushes_do_not_sync_but_closing_the_store_does()
    {
        using var harness = new StoreHarness(o => o with { FsyncPolicy = FsyncPolicy.Never });
        var log = harness.Log();
        Records.AppendUpTo(log, 10, term: 1);
        await log.FlushAsync(Cancel);
        Assert.Equal(10, log.DurableOffset);
        Assert.True(log.ActiveSegmentSyncedLength < new FileInfo(log.ActiveSegmentPath).Length);
        harness.Store.Dispose();
        Assert.Equal(10, harness.Reopen().NextOffset);
    }

    [Fact]
    public async Task A_disposed_log_flushes_what_it_holds_and_the_store_opens_it_again()
    {
        using var harness = new StoreHarness();
        var log = harness.Log(2);
        Records.AppendUpTo(log, 7, term: 1);
        log.Dispose();
        Assert.Throws<ObjectDisposedException>(() => log.Append(Records.Make(7, 1)));
        var again = harness.Log(2);
        Assert.NotSame(log, again);
        Assert.Equal(7, again.NextOffset);
        await again.FlushAsync(Cancel);
    }

    [Fact]
    public void Invalid_options_are_refused_with_every_problem_and_its_fix()
    {
        var options = new LogStoreOptions
        {
            DataDirectory = " ",
            SegmentBytes = 100,
            IndexIntervalBytes = 0,
            FsyncPolicy = FsyncPolicy.Interval,
            FsyncInterval = TimeSpan.Zero,
            RetentionBytes = 0,
            RetentionAge = TimeSpan.FromSeconds(-1),
            TailCacheBytes = -1,
            FlushParallelism = 0,
        };
        var refused = Assert.Throws<ArgumentException>(() => LogStore.Open(options));
        foreach (var setting in new[] { "DataDirectory", "SegmentBytes is 100", "IndexIntervalBytes is 0", "FsyncInterval", "RetentionBytes is 0", "RetentionAge", "TailCacheBytes is -1", "FlushParallelism is 0" })
        {
            Assert.Contains(setting, refused.Message, StringComparison.Ordinal);
        }

        var result = new LogStoreOptionsValidator().Validate(null, options with { DataDirectory = "/data" });
        Assert.True(result.Failed);
        Assert.Contains("set it between 4096 and 1073741824", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new LogStoreOptionsValidator().Validate(null, new LogStoreOptions { DataDirectory = "/data" }).Succeeded);
    }

    [Fact]
    public void The_duration_histograms_have_buckets_in_seconds_that_separate_fast_and_slow_fsyncs()
    {
        var bounds = new Dictionary<string, IReadOnlyList<double>?>();
        using var meters = new TestMeterFactory();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Scope == meters && instrument is Histogram<double> histogram)
            {
                bounds[instrument.Name] = histogram.Advice?.HistogramBucketBoundaries;
            }
        };
        listener.Start();

        using var harness = new StoreHarness(meters: meters);

        Assert.Equal(["datacluster.storage.flush.duration", "datacluster.storage.fsync.duration"], bounds.Keys.Order());
        Assert.All(bounds.Values, b =>
        {
            // A 0.2 ms fsync and a 2 ms one fall in different buckets, and a 5 s stall is not in the last.
            Assert.NotNull(b);
            Assert.Contains(b, x => x > 0.0002 && x < 0.002);
            Assert.Contains(b, x => x > 5);
            Assert.Equal(b.Order(), b);
        });
    }

    [Fact]
    public async Task The_meter_reports_fsyncs_appended_bytes_recovery_cuts_and_deleted_segments()
    {
        var measurements = new List<(string Name, double Value)>();
        using var meters = new TestMeterFactory();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StorageMetrics.MeterName && instrument.Meter.Scope == meters)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Record(instrument, value));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Record(instrument, value));
        listener.Start();

        using var harness = new StoreHarness(o => o with { SegmentBytes = 4096, RetentionBytes = 4096 }, meters: meters);
        var log = harness.Log();
        Records.AppendUpTo(log, 100, term: 1, bodyBytes: 100);
        await log.FlushAsync(Cancel);
        await log.FlushAsync(Cancel);
        harness.Store.ApplyRetention(log, retainFrom: 100);
        log.Append(Records.Make(100, 1));
        log.WritePendingForTest();
        var path = log.ActiveSegmentPath;
        harness.Crash();
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^3]);
        harness.Reopen();
        listener.RecordObservableInstruments();

        Assert.Contains(measurements, m => m.Name == "datacluster.storage.fsync.duration" && m.Value >= 0);
        Assert.Contains(measurements, m => m.Name == "datacluster.storage.flush.duration");
        Assert.Equal(100, measurements.Where(m => m.Name == "datacluster.storage.appended.records").Sum(m => m.Value));
        Assert.True(measurements.Where(m => m.Name == "datacluster.storage.appended.bytes").Sum(m => m.Value) > 100 * 100);
        Assert.Contains(measurements, m => m.Name == "datacluster.storage.segments.deleted");
        Assert.Contains(measurements, m => m.Name == "datacluster.storage.recovery.cuts" && m.Value == 1);
        Assert.Contains(measurements, m => m.Name == "datacluster.storage.recovery.cut.bytes" && m.Value > 0);

        void Record(Instrument instrument, double value)
        {
            lock (measurements)
            {
                measurements.Add((instrument.Name, value));
            }
        }
    }
}
