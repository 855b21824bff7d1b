using DataCluster.Storage;

namespace DataCluster.Storage.Tests;

/// <summary>Segment rolls, the sparse offset index and the tail cache, seen through reads.</summary>
public sealed class SegmentTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(4096, 1)]
    [InlineData(4096, 300)]
    [InlineData(8192, 4096)]
    public async Task Every_offset_reads_back_across_segment_and_index_boundaries_before_and_after_reopening(int segmentBytes, int indexIntervalBytes)
    {
        using var harness = new StoreHarness(o => o with { SegmentBytes = segmentBytes, IndexIntervalBytes = indexIntervalBytes, TailCacheBytes = 0 });
        var log = harness.Log();
        var random = new Random(segmentBytes + indexIntervalBytes);
        var expected = new List<LogRecord>();
        for (var offset = 0; offset < 400; offset++)
        {
            var record = Records.Make(offset, 1 + (offset / 90), bodyBytes: random.Next(0, 600));
            log.Append(record);
            expected.Add(record);
            if (offset % 50 == 0)
            {
                await log.FlushAsync(Cancel);
            }
        }

        await log.FlushAsync(Cancel);
        await log.FlushAsync(Cancel);
        Assert.True(log.SegmentCount >= 10, $"{log.SegmentCount} segments");
        AssertEveryOffset(log);
        AssertEveryOffset(harness.CrashAndReopen());

        void AssertEveryOffset(PartitionLog reopened)
        {
            for (var from = 0; from < expected.Count; from++)
            {
                var into = new List<LogRecord>();
                reopened.Read(from, 3, long.MaxValue, into);
                Records.Equal(expected.Skip(from).Take(3).ToList(), into);
            }
        }
    }

    [Fact]
    public async Task A_segment_rolls_once_it_reaches_the_segment_size_and_is_named_by_its_base_offset()
    {
        using var harness = new StoreHarness(o => o with { SegmentBytes = 4096 });
        var log = harness.Log();

        // 32-byte header, then records of 57 + 5 (key) + 16 (content type) + 200 (+ producer on odd offsets).
        Records.AppendUpTo(log, 40, term: 1, bodyBytes: 200);
        await log.FlushAsync(Cancel);
        var names = harness.Segments(0).Select(Path.GetFileName).ToArray();
        Assert.Equal("00000000000000000000.log", names[0]);
        Assert.True(names.Length >= 3);
        foreach (var path in harness.Segments(0)[..^1])
        {
            var length = new FileInfo(path).Length;
            Assert.InRange(length, 4096, 4096 + 400);
        }

        var bases = names.Select(n => long.Parse(n![..20], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var into = new List<LogRecord>();
        foreach (var baseOffset in bases)
        {
            into.Clear();
            log.Read(baseOffset, 1, long.MaxValue, into);
            Assert.Equal(baseOffset, into[0].Offset);
            if (baseOffset > 0)
            {
                into.Clear();
                log.Read(baseOffset - 1, 2, long.MaxValue, into);
                Assert.Equal([baseOffset - 1, baseOffset], into.Select(r => r.Offset));
            }
        }
    }

    [Fact]
    public async Task The_index_is_sparse_and_keeps_an_entry_at_every_term_change()
    {
        // Entries are written for synced records: without the write-ahead log every flush syncs.
        using var harness = new StoreHarness(o => o with { IndexIntervalBytes = 4096, WriteAheadLog = false });
        var log = harness.Log();
        for (var term = 1; term <= 5; term++)
        {
            Records.AppendUpTo(log, term * 100, term, bodyBytes: 100);
        }

        await log.FlushAsync(Cancel);
        await log.FlushAsync(Cancel);
        var index = File.ReadAllBytes(Path.ChangeExtension(log.ActiveSegmentPath, ".index"));
        var entries = (index.Length - 16) / 16;
        Assert.InRange(entries, 5, 500 / 10);

        var reopened = harness.CrashAndReopen();
        Assert.Equal([.. Enumerable.Range(1, 5).Select(t => new TermStart(t, (t - 1) * 100))], reopened.Terms);

        // Recovery reads only the records from the last index point on: at most one interval.
        Assert.InRange(reopened.Recovery.RecordsScanned, 1, 4096 / 150);
    }

    [Fact]
    public async Task Recent_records_are_served_from_memory_even_when_their_files_are_gone()
    {
        using var harness = new StoreHarness(o => o with { TailCacheBytes = 64 * 1024 });
        var log = harness.Log();
        Records.AppendUpTo(log, 1000, term: 1, bodyBytes: 200);
        await log.FlushAsync(Cancel);

        // Emptying the file leaves only the cache able to answer.
        File.WriteAllBytes(log.ActiveSegmentPath, []);
        var recent = new List<LogRecord>();
        Assert.Equal(100, log.Read(900, 100, long.MaxValue, recent));
        Records.Equal([.. Enumerable.Range(900, 100).Select(o => Records.Make(o, 1, bodyBytes: 200))], recent);
        Assert.ThrowsAny<IOException>(() => log.Read(0, 1, long.MaxValue, []));
    }

    [Fact]
    public void A_large_batch_is_written_through_before_the_flush_and_reads_back_whole()
    {
        using var harness = new StoreHarness(o => o with { TailCacheBytes = 0 });
        var log = harness.Log();
        Records.AppendUpTo(log, 3, term: 1, bodyBytes: 700_000);
        Assert.True(new FileInfo(log.ActiveSegmentPath).Length > 1024 * 1024);
        Assert.Equal(0, log.DurableOffset);
        var all = Records.ReadAll(log, batch: 1);
        Records.Equal([.. Enumerable.Range(0, 3).Select(o => Records.Make(o, 1, bodyBytes: 700_000))], all);
    }
}
