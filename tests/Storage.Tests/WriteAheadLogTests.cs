using System.Diagnostics.Metrics;
using DataCluster.Storage;

namespace DataCluster.Storage.Tests;

/// <summary>
/// The store's write-ahead log: one fsync per group flush, and replay on open that puts back
/// what segments lost without ever undoing a truncation or a reset.
/// </summary>
public sealed class WriteAheadLogTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_group_flush_of_many_partitions_issues_one_fsync()
    {
        var fsyncs = 0;
        using var meters = new TestMeterFactory();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == "datacluster.storage.fsync.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref fsyncs));
        listener.Start();
        using var harness = new StoreHarness(meters: meters);
        var logs = Enumerable.Range(0, 16).Select(harness.Log).ToArray();
        foreach (var log in logs)
        {
            Records.AppendUpTo(log, 3, term: 1);
        }

        await harness.Store.FlushAsync(logs, Cancel);
        foreach (var log in logs)
        {
            Records.AppendUpTo(log, 5, term: 1);
        }

        var before = fsyncs;
        await harness.Store.FlushAsync(logs, Cancel);

        Assert.Equal(1, fsyncs - before);
        Assert.All(logs, log => Assert.Equal(5, log.DurableOffset));
    }

    [Fact]
    public async Task Records_a_flush_made_durable_come_back_when_a_crash_loses_every_unsynced_segment_byte()
    {
        using var harness = new StoreHarness();
        var logs = Enumerable.Range(0, 3).Select(harness.Log).ToArray();
        foreach (var log in logs)
        {
            // Enough bytes that the flush writes them to the segments too (smaller batches wait in memory).
            Records.AppendUpTo(log, 40, term: 1, bodyBytes: 400);
        }

        await harness.Store.FlushAsync(logs, Cancel);
        var segments = logs.Select(l => (l.ActiveSegmentPath, l.ActiveSegmentSyncedLength)).ToArray();
        harness.Crash();

        // The crash between the write-ahead log's fsync and the segments reaching the disk.
        foreach (var (path, synced) in segments)
        {
            Assert.True(new FileInfo(path).Length > synced, "the segment bytes were written but not synced");
            File.WriteAllBytes(path, File.ReadAllBytes(path)[..(int)synced]);
        }

        var reopened = harness.Reopen(0);
        Assert.Equal(3 * 40, harness.Store.WalReplay.RecordsReplayed);
        foreach (var partition in new[] { 0, 1, 2 })
        {
            var log = harness.Store.OpenPartition(partition);
            Assert.Equal(40, log.NextOffset);
            Assert.True(Records.ReadAll(log).Select((r, i) => r.SameContent(Records.Make(i, 1, bodyBytes: 400))).All(same => same));
        }

        Assert.Equal(40, reopened.DurableOffset);
    }

    [Fact]
    public async Task Small_flushes_leave_records_out_of_the_segment_file_until_enough_wait_and_a_crash_keeps_them()
    {
        using var harness = new StoreHarness();
        var log = harness.Log();
        var emptyLength = new FileInfo(log.ActiveSegmentPath).Length;
        for (var end = 5; end <= 20; end += 5)
        {
            Records.AppendUpTo(log, end, term: 1);
            await log.FlushAsync(Cancel);
            Assert.Equal(end, log.DurableOffset);
        }

        Assert.Equal(emptyLength, new FileInfo(log.ActiveSegmentPath).Length);

        // Readable while they wait in memory.
        Records.Equal([.. Enumerable.Range(0, 20).Select(o => Records.Make(o, 1))], Records.ReadAll(log));

        // Once about 12 KiB wait, the flush writes them all to the file.
        Records.AppendUpTo(log, 60, term: 1, bodyBytes: 400);
        await log.FlushAsync(Cancel);
        Assert.True(new FileInfo(log.ActiveSegmentPath).Length > emptyLength + (40 * 400), "the waiting bytes were written");

        Records.AppendUpTo(log, 65, term: 1);
        await log.FlushAsync(Cancel);
        var reopened = harness.CrashAndReopen();
        Assert.Equal(65, reopened.NextOffset);
        Records.Equal(
            [.. Enumerable.Range(0, 20).Select(o => Records.Make(o, 1)), .. Enumerable.Range(20, 40).Select(o => Records.Make(o, 1, bodyBytes: 400)), .. Enumerable.Range(60, 5).Select(o => Records.Make(o, 1))],
            Records.ReadAll(reopened));
    }

    [Fact]
    public async Task A_torn_tail_of_the_write_ahead_log_is_cut_and_every_record_before_it_is_kept()
    {
        using var harness = new StoreHarness();
        var a = harness.Log(0);
        var b = harness.Log(1);
        Records.AppendUpTo(a, 10, term: 1);
        await harness.Store.FlushAsync([a], Cancel);
        Records.AppendUpTo(b, 10, term: 1);
        await harness.Store.FlushAsync([b], Cancel);
        var segments = new[] { (a.ActiveSegmentPath, a.ActiveSegmentSyncedLength), (b.ActiveSegmentPath, b.ActiveSegmentSyncedLength) };
        harness.Crash();
        foreach (var (path, synced) in segments)
        {
            File.WriteAllBytes(path, File.ReadAllBytes(path)[..(int)synced]);
        }

        // The second flush's entry torn: its fsync never completed.
        var wal = Directory.GetFiles(Path.Combine(harness.Root, "wal")).Single();
        var bytes = File.ReadAllBytes(wal);
        File.WriteAllBytes(wal, bytes[..(EntriesEnd(bytes) - 7)]);

        Assert.Equal(10, harness.Reopen(0).NextOffset);
        Assert.Equal(0, harness.Store.OpenPartition(1).NextOffset);
        Assert.Equal(RecoveryCutReason.Incomplete, harness.Store.WalReplay.CutReason);
        Assert.Equal(wal, harness.Store.WalReplay.CutFile);
    }

    [Fact]
    public async Task Garbage_after_the_last_synced_entry_is_cut_by_its_crc()
    {
        using var harness = new StoreHarness();
        var log = harness.Log();
        Records.AppendUpTo(log, 10, term: 1);
        await log.FlushAsync(Cancel);
        harness.Crash();
        var wal = Directory.GetFiles(Path.Combine(harness.Root, "wal")).Single();
        var bytes = File.ReadAllBytes(wal);
        var end = EntriesEnd(bytes);
        new Random(7).NextBytes(bytes.AsSpan(end, 200));
        File.WriteAllBytes(wal, bytes);

        Assert.Equal(10, harness.Reopen().NextOffset);
        Assert.NotNull(harness.Store.WalReplay.CutReason);
        Assert.Equal(end, harness.Store.WalReplay.CutPosition);
    }

    [Fact]
    public async Task The_file_is_extended_with_synced_zeros_ahead_of_its_entries_which_replay_reads_as_their_end()
    {
        using var harness = new StoreHarness();
        var log = harness.Log();
        Records.AppendUpTo(log, 10, term: 1);
        await log.FlushAsync(Cancel);
        harness.Crash();
        var wal = Directory.GetFiles(Path.Combine(harness.Root, "wal")).Single();
        var bytes = File.ReadAllBytes(wal);
        Assert.True(bytes.Length > EntriesEnd(bytes), "zeros follow the entries");

        Assert.Equal(10, harness.Reopen().NextOffset);
        Assert.Null(harness.Store.WalReplay.CutReason);
    }

    /// <summary>Where the entries of a write-ahead log file end: the zeros it was extended with follow.</summary>
    private static int EntriesEnd(byte[] file) => Array.FindLastIndex(file, b => b != 0) + 1;

    [Fact]
    public async Task Replay_never_puts_back_records_a_durable_truncation_removed()
    {
        using var harness = new StoreHarness();
        var log = harness.Log();
        Records.AppendUpTo(log, 20, term: 1);
        await log.FlushAsync(Cancel);
        log.Truncate(10);
        Records.AppendUpTo(log, 15, term: 2);
        await log.FlushAsync(Cancel);
        var (path, synced) = (log.ActiveSegmentPath, log.ActiveSegmentSyncedLength);
        harness.Crash();
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..(int)synced]);

        var reopened = harness.Reopen();
        var records = Records.ReadAll(reopened);
        Assert.Equal(15, reopened.NextOffset);
        Assert.All(records.Take(10), r => Assert.Equal(1, r.Term));
        Assert.All(records.Skip(10), r => Assert.Equal(2, r.Term));
        Assert.True(records.Select((r, i) => r.SameContent(Records.Make(i, i < 10 ? 1 : 2))).All(same => same));
    }

    [Fact]
    public async Task Replay_never_puts_records_from_before_a_reset_after_its_new_start()
    {
        using var harness = new StoreHarness();
        var log = harness.Log();
        Records.AppendUpTo(log, 120, term: 1);
        await log.FlushAsync(Cancel);
        log.Reset(200, termBefore: 3);
        Records.AppendUpTo(log, 205, term: 4);
        await log.FlushAsync(Cancel);
        var (path, synced) = (log.ActiveSegmentPath, log.ActiveSegmentSyncedLength);
        harness.Crash();
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..(int)synced]);

        var reopened = harness.Reopen();
        Assert.Equal(200, reopened.StartOffset);
        Assert.Equal(205, reopened.NextOffset);
        Assert.All(Records.ReadAll(reopened), r => Assert.Equal(4, r.Term));
    }

    [Fact]
    public async Task A_checkpoint_syncs_the_segments_and_replaces_the_file()
    {
        using var harness = new StoreHarness(o => o with { WalCheckpointBytes = 64 * 1024 });
        var logs = Enumerable.Range(0, 4).Select(harness.Log).ToArray();
        for (var round = 1; round <= 20; round++)
        {
            foreach (var log in logs)
            {
                Records.AppendUpTo(log, round * 10, term: 1, bodyBytes: 256);
            }

            await harness.Store.FlushAsync(logs, Cancel);
        }

        var wal = Directory.GetFiles(Path.Combine(harness.Root, "wal")).Single();
        Assert.NotEqual("00000000000000000000.wal", Path.GetFileName(wal));
        Assert.True(new FileInfo(wal).Length < 64 * 1024);

        // What the checkpoint synced needs no replay: tear every segment to its synced length.
        var segments = logs.Select(l => (l.ActiveSegmentPath, l.ActiveSegmentSyncedLength)).ToArray();
        harness.Crash();
        foreach (var (path, synced) in segments)
        {
            File.WriteAllBytes(path, File.ReadAllBytes(path)[..(int)synced]);
        }

        harness.Reopen();
        foreach (var partition in Enumerable.Range(0, 4))
        {
            Assert.Equal(200, harness.Store.OpenPartition(partition).NextOffset);
        }
    }

    [Fact]
    public async Task A_clean_close_leaves_no_write_ahead_log_to_replay()
    {
        using var harness = new StoreHarness();
        var log = harness.Log();
        Records.AppendUpTo(log, 10, term: 1);
        await log.FlushAsync(Cancel);
        harness.Store.Dispose();
        Assert.Empty(Directory.GetFiles(Path.Combine(harness.Root, "wal")));

        Assert.Equal(10, harness.Reopen().NextOffset);
        Assert.Equal(0, harness.Store.WalReplay.Files);
    }

    [Fact]
    public async Task Without_the_always_policy_or_with_it_turned_off_flushes_sync_the_segments()
    {
        foreach (var configure in new Func<LogStoreOptions, LogStoreOptions>[] { o => o with { WriteAheadLog = false }, o => o with { FsyncPolicy = FsyncPolicy.Never } })
        {
            using var harness = new StoreHarness(configure);
            var log = harness.Log();
            Records.AppendUpTo(log, 10, term: 1);
            await log.FlushAsync(Cancel);
            Assert.False(Directory.Exists(Path.Combine(harness.Root, "wal")) && Directory.GetFiles(Path.Combine(harness.Root, "wal")).Length > 0);
            if (harness.Options.FsyncPolicy == FsyncPolicy.Always)
            {
                Assert.Equal(new FileInfo(log.ActiveSegmentPath).Length, log.ActiveSegmentSyncedLength);
            }
        }
    }

    [Fact]
    public async Task Damage_in_a_file_that_a_newer_one_follows_refuses_to_open()
    {
        using var harness = new StoreHarness();
        var log = harness.Log();
        Records.AppendUpTo(log, 10, term: 1);
        await log.FlushAsync(Cancel);
        harness.Crash();
        var directory = Path.Combine(harness.Root, "wal");
        var older = Directory.GetFiles(directory).Single();
        File.Copy(older, Path.Combine(directory, "00000000000000000009.wal"));
        var bytes = File.ReadAllBytes(older);
        bytes[^20] ^= 0xFF;
        File.WriteAllBytes(older, bytes);

        var refused = Assert.Throws<LogCorruptedException>(() => harness.Reopen());
        Assert.Equal(older, refused.FilePath);
    }

    [Fact]
    public void An_invalid_checkpoint_size_is_refused_with_its_fix()
    {
        var problems = LogStoreOptionsValidator.Problems(new LogStoreOptions { DataDirectory = "/data", WalCheckpointBytes = 10 });
        Assert.Contains(problems, p => p.Contains("WalCheckpointBytes is 10: set it between 65536", StringComparison.Ordinal));
    }
}
