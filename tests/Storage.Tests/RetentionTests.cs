using DataCluster.Storage;
using Microsoft.Extensions.Time.Testing;

namespace DataCluster.Storage.Tests;

/// <summary>Retention by size and by age: whole old segments only, never the active one, never at or above the caller's bound.</summary>
public sealed class RetentionTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Size_retention_deletes_the_oldest_segments_while_the_rest_still_holds_the_limit()
    {
        using var harness = new StoreHarness(o => o with { SegmentBytes = 4096, RetentionBytes = 10_000, RetentionAge = null });
        var log = harness.Log();
        Records.AppendUpTo(log, 200, term: 1, bodyBytes: 200);
        Records.AppendUpTo(log, 300, term: 2, bodyBytes: 200);
        await log.FlushAsync(Cancel);
        var segments = log.SegmentCount;
        var before = log.SizeBytes;

        var result = harness.Store.ApplyRetention(log, retainFrom: long.MaxValue);
        Assert.True(result.SegmentsDeleted > 0);
        Assert.Equal(segments - result.SegmentsDeleted, log.SegmentCount);
        Assert.Equal(before - result.BytesDeleted, log.SizeBytes);
        Assert.InRange(log.SizeBytes, 10_000, 10_000 + 4096 + 400);
        Assert.Equal(result.StartOffset, log.StartOffset);
        Assert.Equal(300, log.NextOffset);
        Assert.Equal(2, log.TermAt(log.StartOffset - 1));
        Assert.Equal([new TermStart(2, log.StartOffset)], log.Terms);
        var remaining = Records.ReadAll(log);
        Assert.Equal(log.StartOffset, remaining[0].Offset);

        await log.FlushAsync(Cancel);
        var reopened = harness.CrashAndReopen();
        Assert.Equal(result.StartOffset, reopened.StartOffset);
        Assert.Equal([new TermStart(2, result.StartOffset)], reopened.Terms);
        Records.Equal(remaining, Records.ReadAll(reopened));
    }

    [Fact]
    public async Task Retention_never_deletes_a_segment_holding_an_offset_at_or_above_the_callers_bound()
    {
        using var harness = new StoreHarness(o => o with { SegmentBytes = 4096, RetentionBytes = 1 });
        var log = harness.Log();
        Records.AppendUpTo(log, 300, term: 1, bodyBytes: 200);
        await log.FlushAsync(Cancel);

        Assert.Equal(0, harness.Store.ApplyRetention(log, retainFrom: 5).SegmentsDeleted);
        Assert.Equal(0, log.StartOffset);

        var result = harness.Store.ApplyRetention(log, retainFrom: 100);
        Assert.True(result.SegmentsDeleted > 0);
        Assert.InRange(log.StartOffset, 1, 100);
        var firstKept = new List<LogRecord>();
        log.Read(0, 1, long.MaxValue, firstKept);
        Assert.True(firstKept[0].Offset <= 100);
        Assert.True(log.SegmentCount > 1);
    }

    [Fact]
    public async Task Retention_keeps_the_active_segment_even_when_everything_is_past_the_limits()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        using var harness = new StoreHarness(o => o with { SegmentBytes = 4096, RetentionBytes = 1, RetentionAge = TimeSpan.FromMinutes(1) }, time);
        var log = harness.Log();
        Records.AppendUpTo(log, 100, term: 1, bodyBytes: 200, timestamp: time.GetUtcNow().ToUnixTimeMilliseconds());
        await log.FlushAsync(Cancel);
        time.Advance(TimeSpan.FromDays(30));

        harness.Store.ApplyRetention(log, retainFrom: long.MaxValue);
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(100, log.NextOffset);
        Assert.Single(harness.Segments(0));
        Assert.True(log.StartOffset > 0);
        Assert.Equal(1, log.LastTerm);
    }

    [Fact]
    public async Task Age_retention_deletes_segments_whose_newest_record_is_older_than_the_age()
    {
        var start = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        var time = new FakeTimeProvider(start);
        using var harness = new StoreHarness(o => o with { SegmentBytes = 4096, RetentionAge = TimeSpan.FromDays(7) }, time);
        var log = harness.Log();
        Records.AppendUpTo(log, 100, term: 1, bodyBytes: 200, timestamp: start.ToUnixTimeMilliseconds());
        time.Advance(TimeSpan.FromDays(3));
        Records.AppendUpTo(log, 200, term: 1, bodyBytes: 200, timestamp: time.GetUtcNow().ToUnixTimeMilliseconds());
        await log.FlushAsync(Cancel);

        // Day 6: nothing is a week old.
        time.Advance(TimeSpan.FromDays(3));
        Assert.Equal(0, harness.Store.ApplyRetention(log, retainFrom: long.MaxValue).SegmentsDeleted);

        // Day 8: the segments holding only day-0 records go; the one that also holds day-3 records stays.
        time.Advance(TimeSpan.FromDays(2));
        var result = harness.Store.ApplyRetention(log, retainFrom: long.MaxValue);
        Assert.True(result.SegmentsDeleted > 0);
        Assert.InRange(log.StartOffset, 80, 100);

        // Day 11: every day-3 record is past the age; only the active segment remains.
        time.Advance(TimeSpan.FromDays(3));
        harness.Store.ApplyRetention(log, retainFrom: long.MaxValue);
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(200, log.NextOffset);
    }
}
