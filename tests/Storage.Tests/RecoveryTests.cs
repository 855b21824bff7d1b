using DataCluster.Storage;

namespace DataCluster.Storage.Tests;

/// <summary>
/// What a file log holds after a clean stop, a crash, and a crash that tore or damaged its files.
/// These check what segment recovery alone keeps, so the store runs without its write-ahead log,
/// whose replay would put torn records back (<see cref="WriteAheadLogTests"/>).
/// </summary>
public sealed class RecoveryTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_reopened_log_holds_every_flushed_record_its_terms_and_its_start()
    {
        using var harness = new StoreHarness(o => o with { WriteAheadLog = false, SegmentBytes = 4096, IndexIntervalBytes = 512 });
        var log = harness.Log();
        log.Reset(100, 2);
        Records.AppendUpTo(log, 150, term: 2, bodyBytes: 64);
        Records.AppendUpTo(log, 200, term: 3, bodyBytes: 200);
        Records.AppendUpTo(log, 210, term: 5, bodyBytes: 10);
        await log.FlushAsync(Cancel);
        var expected = Records.ReadAll(log);
        var terms = log.Terms;
        Assert.True(log.SegmentCount > 3);

        harness.Store.Dispose();
        var clean = harness.Reopen();
        AssertSame(clean);
        Assert.True(clean.Recovery.Clean, clean.Recovery.ToString());

        var crashed = harness.CrashAndReopen();
        AssertSame(crashed);
        Assert.True(crashed.Recovery.Clean, crashed.Recovery.ToString());

        void AssertSame(PartitionLog reopened)
        {
            Assert.Equal(100, reopened.StartOffset);
            Assert.Equal(210, reopened.NextOffset);
            Assert.Equal(210, reopened.DurableOffset);
            Assert.Equal(5, reopened.LastTerm);
            Assert.Equal(2, reopened.TermAt(99));
            Assert.Equal(terms, reopened.Terms);
            Records.Equal(expected, Records.ReadAll(reopened));
        }
    }

    [Fact]
    public async Task A_tail_torn_at_any_byte_recovers_to_exactly_the_flushed_prefix()
    {
        using var harness = new StoreHarness(o => o with { WriteAheadLog = false });
        var log = harness.Log();
        Records.AppendUpTo(log, 20, term: 1);
        await log.FlushAsync(Cancel);
        var flushed = Records.ReadAll(log);
        var synced = log.ActiveSegmentSyncedLength;
        log.Append(Records.Make(20, 2));
        log.WritePendingForTest();
        var path = log.ActiveSegmentPath;
        harness.Crash();
        var whole = File.ReadAllBytes(path);
        Assert.True(whole.Length > synced);

        for (var cut = synced; cut < whole.Length; cut++)
        {
            File.WriteAllBytes(path, whole.AsSpan(0, (int)cut).ToArray());
            var reopened = harness.Reopen();
            Assert.Equal(20, reopened.NextOffset);
            Assert.Equal(1, reopened.LastTerm);
            Records.Equal(flushed, Records.ReadAll(reopened));
            Assert.Equal(cut - synced, reopened.Recovery.BytesCut);
            Assert.Equal(cut == synced ? RecoveryCutReason.None : RecoveryCutReason.Incomplete, reopened.Recovery.Reason);
            Assert.Equal(synced, new FileInfo(path).Length);
            harness.Crash();
        }

        File.WriteAllBytes(path, whole);
        var complete = harness.Reopen();
        Assert.Equal(21, complete.NextOffset);
        Assert.Equal(2, complete.LastTerm);
    }

    [Fact]
    public async Task A_flipped_byte_anywhere_in_the_last_record_cuts_that_record_and_reports_it()
    {
        using var harness = new StoreHarness(o => o with { WriteAheadLog = false });
        var log = harness.Log();
        Records.AppendUpTo(log, 20, term: 1);
        await log.FlushAsync(Cancel);
        var before = log.ActiveSegmentSyncedLength;
        log.Append(Records.Make(20, 1, bodyBytes: 50));
        await log.FlushAsync(Cancel);
        var path = log.ActiveSegmentPath;
        harness.Crash();
        var whole = File.ReadAllBytes(path);

        for (var at = (int)before; at < whole.Length; at++)
        {
            var damaged = whole.ToArray();
            damaged[at] ^= 0x40;
            File.WriteAllBytes(path, damaged);
            var reopened = harness.Reopen();
            Assert.Equal(20, reopened.NextOffset);
            Assert.NotEqual(RecoveryCutReason.None, reopened.Recovery.Reason);
            Assert.Equal(whole.Length - before, reopened.Recovery.BytesCut);
            Assert.Equal(path, reopened.Recovery.CutFile);
            Assert.Equal(before, reopened.Recovery.CutPosition);
            Assert.Contains("cut", reopened.Recovery.ToString(), StringComparison.Ordinal);
            harness.Crash();
        }
    }

    [Fact]
    public async Task A_zero_filled_tail_is_cut_back_to_the_last_record()
    {
        using var harness = new StoreHarness(o => o with { WriteAheadLog = false });
        var log = harness.Log();
        Records.AppendUpTo(log, 10, term: 1);
        await log.FlushAsync(Cancel);
        var path = log.ActiveSegmentPath;
        var length = new FileInfo(path).Length;
        harness.Crash();
        using (var file = new FileStream(path, FileMode.Append))
        {
            file.Write(new byte[4096]);
        }

        var reopened = harness.Reopen();
        Assert.Equal(10, reopened.NextOffset);
        Assert.Equal(RecoveryCutReason.ZeroFilled, reopened.Recovery.Reason);
        Assert.Equal(4096, reopened.Recovery.BytesCut);
        Assert.Equal(length, new FileInfo(path).Length);
        Records.AppendUpTo(reopened, 12, term: 1);
        await reopened.FlushAsync(Cancel);
        Assert.Equal(12, harness.CrashAndReopen().NextOffset);
    }

    [Fact]
    public async Task Records_truncated_before_a_completed_flush_never_come_back()
    {
        using var harness = new StoreHarness(o => o with { WriteAheadLog = false, SegmentBytes = 4096 });
        var log = harness.Log();
        Records.AppendUpTo(log, 200, term: 1);
        await log.FlushAsync(Cancel);
        Assert.True(log.SegmentCount > 2);
        log.Truncate(20);
        Records.AppendUpTo(log, 25, term: 2);
        await log.FlushAsync(Cancel);

        var reopened = harness.CrashAndReopen();
        Assert.Equal(25, reopened.NextOffset);
        Assert.All(Records.ReadAll(reopened).Skip(20), r => Assert.Equal(2, r.Term));
        Assert.Single(harness.Segments(0));

        reopened.Truncate(5);
        await reopened.FlushAsync(Cancel);
        var again = harness.CrashAndReopen();
        Assert.Equal(5, again.NextOffset);
        Assert.Equal([new TermStart(1, 0)], again.Terms);
    }

    [Fact]
    public async Task A_truncation_not_yet_flushed_keeps_at_least_the_durable_prefix()
    {
        using var harness = new StoreHarness(o => o with { WriteAheadLog = false, SegmentBytes = 4096 });
        var log = harness.Log();
        Records.AppendUpTo(log, 100, term: 1);
        await log.FlushAsync(Cancel);
        log.Truncate(60);
        Records.AppendUpTo(log, 70, term: 2);
        var reopened = harness.CrashAndReopen();
        Assert.InRange(reopened.NextOffset, 60, 100);
        Records.Equal([.. Enumerable.Range(0, 60).Select(o => Records.Make(o, 1))], Records.ReadAll(reopened).Take(60).ToList());
    }

    [Fact]
    public async Task A_damaged_record_inside_a_sealed_segment_fails_the_read_and_leaves_later_records_readable()
    {
        using var harness = new StoreHarness(o => o with { WriteAheadLog = false, SegmentBytes = 4096 });
        var log = harness.Log();
        Records.AppendUpTo(log, 300, term: 1);
        await log.FlushAsync(Cancel);
        await log.FlushAsync(Cancel);
        var first = harness.Segments(0)[0];
        harness.Crash();
        var bytes = File.ReadAllBytes(first);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(first, bytes);

        var reopened = harness.Reopen();
        Assert.Equal(300, reopened.NextOffset);
        var failure = Assert.Throws<LogCorruptedException>(() => Records.ReadAll(reopened));
        Assert.Equal(first, failure.FilePath);
        Assert.Contains("move the partition's directory aside", failure.Message, StringComparison.Ordinal);
        var later = new List<LogRecord>();
        Assert.Equal(10, reopened.Read(250, 10, long.MaxValue, later));
        Assert.Equal(250, later[0].Offset);
    }

    [Fact]
    public async Task A_damaged_tail_in_an_older_segment_is_refused_when_later_segments_are_known_durable()
    {
        using var harness = new StoreHarness(o => o with { WriteAheadLog = false, SegmentBytes = 4096 });
        var log = harness.Log();
        Records.AppendUpTo(log, 300, term: 1);
        await log.FlushAsync(Cancel);
        await log.FlushAsync(Cancel);
        var segments = harness.Segments(0);
        harness.Crash();

        // Take the seal off the first segment and damage its last record.
        var index = Path.ChangeExtension(segments[0], ".index");
        var indexBytes = File.ReadAllBytes(index);
        File.WriteAllBytes(index, indexBytes.AsSpan(0, indexBytes.Length - 32).ToArray());
        var data = File.ReadAllBytes(segments[0]);
        data[^5] ^= 0xFF;
        File.WriteAllBytes(segments[0], data);

        var refused = Assert.Throws<LogCorruptedException>(() => harness.Reopen());
        Assert.Equal(segments[0], refused.FilePath);
        Assert.Contains("known durable", refused.Message, StringComparison.Ordinal);
        Assert.Equal(segments, harness.Segments(0));
        Assert.Equal(data.Length, new FileInfo(segments[0]).Length);
    }

    [Fact]
    public async Task A_damaged_record_that_the_index_proves_durable_is_refused_not_cut()
    {
        using var harness = new StoreHarness(o => o with { WriteAheadLog = false, IndexIntervalBytes = 256 });
        var log = harness.Log();
        Records.AppendUpTo(log, 40, term: 1);
        await log.FlushAsync(Cancel);
        Records.AppendUpTo(log, 41, term: 1);
        await log.FlushAsync(Cancel);
        var path = log.ActiveSegmentPath;
        harness.Crash();
        var index = File.ReadAllBytes(Path.ChangeExtension(path, ".index"));
        var lastEntryPosition = BitConverter.ToUInt32(index, index.Length - 12);
        var data = File.ReadAllBytes(path);
        data[lastEntryPosition + 20] ^= 0xFF;
        File.WriteAllBytes(path, data);

        var refused = Assert.Throws<LogCorruptedException>(() => harness.Reopen());
        Assert.Equal(lastEntryPosition, refused.Position);
    }

    [Fact]
    public async Task A_segment_created_after_the_last_flush_with_a_torn_header_is_deleted()
    {
        using var harness = new StoreHarness(o => o with { WriteAheadLog = false });
        var log = harness.Log();
        Records.AppendUpTo(log, 10, term: 1);
        await log.FlushAsync(Cancel);
        harness.Crash();
        var orphan = Path.Combine(harness.PartitionDirectory(0), "00000000000000000010.log");
        File.WriteAllBytes(orphan, [0x44, 0x43, 0, 0, 0]);

        var reopened = harness.Reopen();
        Assert.Equal(10, reopened.NextOffset);
        Assert.Equal(RecoveryCutReason.BadSegmentHeader, reopened.Recovery.Reason);
        Assert.Equal(1, reopened.Recovery.SegmentsDeleted);
        Assert.False(File.Exists(orphan));
        Records.AppendUpTo(reopened, 11, term: 1);
        Assert.Equal(11, reopened.NextOffset);
    }

    [Fact]
    public async Task A_reset_interrupted_by_a_crash_is_finished_on_open_and_a_torn_reset_marker_is_ignored()
    {
        using var harness = new StoreHarness(o => o with { WriteAheadLog = false });
        var log = harness.Log();
        Records.AppendUpTo(log, 10, term: 1);
        await log.FlushAsync(Cancel);
        harness.Crash();
        var marker = Path.Combine(harness.PartitionDirectory(0), "reset");
        File.WriteAllBytes(marker, [1, 2, 3]);
        var kept = harness.Reopen();
        Assert.Equal(10, kept.NextOffset);
        Assert.False(kept.Recovery.ResetCompleted);
        Assert.False(File.Exists(marker));
        harness.Crash();

        Files.ResetMarker.Write(harness.PartitionDirectory(0), 500, 4);
        var reset = harness.Reopen();
        Assert.True(reset.Recovery.ResetCompleted);
        Assert.Equal(500, reset.StartOffset);
        Assert.Equal(500, reset.NextOffset);
        Assert.Equal(4, reset.TermAt(499));
        Assert.Single(harness.Segments(0));
    }

    [Fact]
    public async Task Refused_appends_leave_every_flushed_record_on_disk()
    {
        using var harness = new StoreHarness(o => o with { WriteAheadLog = false });
        var log = harness.Log();
        Records.AppendUpTo(log, 10, term: 3);
        await log.FlushAsync(Cancel);
        Assert.Throws<ArgumentException>(() => log.Append(Records.Make(12, 3)));
        Assert.Throws<ArgumentException>(() => log.Append(Records.Make(10, 2)));
        Assert.Throws<ArgumentNullException>(() => log.Append(null!));
        await log.FlushAsync(Cancel);
        var reopened = harness.CrashAndReopen();
        Records.Equal([.. Enumerable.Range(0, 10).Select(o => Records.Make(o, 3))], Records.ReadAll(reopened));
    }

    [Fact]
    public async Task Segments_rolled_after_the_last_flush_and_lost_in_a_crash_leave_a_log_that_takes_appends_again()
    {
        using var harness = new StoreHarness(o => o with { WriteAheadLog = false, SegmentBytes = 4096 });
        var log = harness.Log();
        await log.FlushAsync(Cancel);
        Records.AppendUpTo(log, 100, term: 1, bodyBytes: 200);
        Assert.True(log.SegmentCount > 2);

        // The rolls created files with headers; the records themselves never left memory.
        var reopened = harness.CrashAndReopen();
        Assert.Equal(0, reopened.NextOffset);
        Assert.Equal(RecoveryCutReason.OutOfOrder, reopened.Recovery.Reason);
        Assert.True(reopened.Recovery.SegmentsDeleted > 0);
        Records.AppendUpTo(reopened, 100, term: 1, bodyBytes: 200);
        await reopened.FlushAsync(Cancel);
        Assert.Equal(100, harness.CrashAndReopen().NextOffset);
    }

    [Fact]
    public async Task A_second_truncation_that_deletes_the_segment_a_first_one_cut_is_flushed_without_error()
    {
        using var harness = new StoreHarness(o => o with { WriteAheadLog = false, SegmentBytes = 4096 });
        var log = harness.Log();
        Records.AppendUpTo(log, 200, term: 1, bodyBytes: 100);
        await log.FlushAsync(Cancel);
        log.Truncate(190);
        log.Truncate(10);
        Records.AppendUpTo(log, 15, term: 2);
        await log.FlushAsync(Cancel);

        var reopened = harness.CrashAndReopen();
        Assert.Equal(15, reopened.NextOffset);
        Assert.Equal([new TermStart(1, 0), new TermStart(2, 10)], reopened.Terms);
        Assert.Single(harness.Segments(0));
    }
}
