using DataCluster.Storage;

namespace DataCluster.Storage.Tests;

/// <summary>
/// The <see cref="IPartitionLog"/> contract, run against every implementation: the in-memory
/// model and the file log (with small segments, so that reads, truncations and resets cross
/// segment boundaries).
/// </summary>
public abstract class PartitionLogContract : IDisposable
{
    /// <summary>An empty log of partition 3.</summary>
    protected abstract IPartitionLog CreateLog();

    /// <summary>Crashes and restarts the log, returning the log as it reopens.</summary>
    protected abstract IPartitionLog CrashAndReopen(IPartitionLog log);

    public abstract void Dispose();

    [Fact]
    public void A_new_log_is_empty_at_offset_zero_in_term_zero()
    {
        var log = CreateLog();
        Assert.Equal(3, log.Partition);
        Assert.Equal(0, log.StartOffset);
        Assert.Equal(0, log.NextOffset);
        Assert.Equal(0, log.DurableOffset);
        Assert.Equal(0, log.LastTerm);
        Assert.Empty(log.Terms);
        Assert.Equal(0, log.TermAt(-1));
        Assert.Equal(-1, log.TermAt(0));
        Assert.Equal(0, log.Read(0, 10, long.MaxValue, new List<LogRecord>()));
    }

    [Fact]
    public void Appended_records_read_back_with_every_field_in_order()
    {
        var log = CreateLog();
        var written = new List<LogRecord>
        {
            Records.Make(0, 1),
            new(1, 1, RecordKind.TermStart, 5, ReadOnlyMemory<byte>.Empty, null, new byte[] { 1, 2, 3 }),
            new(2, 1, RecordKind.Control, -7, "ключ"u8.ToArray(), "text/plain; charset=utf-8", ReadOnlyMemory<byte>.Empty, "producé", long.MaxValue),
            Records.Make(3, 2, bodyBytes: 0),
            Records.Make(4, 2, bodyBytes: 3000),
        };
        foreach (var record in written)
        {
            log.Append(record);
        }

        Assert.Equal(5, log.NextOffset);
        Assert.Equal(2, log.LastTerm);
        Records.Equal(written, Records.ReadAll(log, batch: 2));
    }

    [Fact]
    public void An_append_at_any_offset_but_the_next_is_refused_and_changes_nothing()
    {
        var log = CreateLog();
        Records.AppendUpTo(log, 5, term: 1);
        var gap = Assert.Throws<ArgumentException>(() => log.Append(Records.Make(6, 1)));
        Assert.Contains("not the next offset 5", gap.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => log.Append(Records.Make(4, 1)));
        Assert.Equal(5, log.NextOffset);
        Records.Equal([.. Enumerable.Range(0, 5).Select(o => Records.Make(o, 1))], Records.ReadAll(log));
    }

    [Fact]
    public void An_append_in_a_lower_term_is_refused_and_changes_nothing()
    {
        var log = CreateLog();
        Records.AppendUpTo(log, 3, term: 4);
        var lower = Assert.Throws<ArgumentException>(() => log.Append(Records.Make(3, 3)));
        Assert.Contains("below the last term 4", lower.Message, StringComparison.Ordinal);
        Assert.Equal(3, log.NextOffset);
        Assert.Equal(4, log.LastTerm);
        Assert.Single(log.Terms);
    }

    [Fact]
    public void Terms_list_where_each_term_starts_and_TermAt_answers_inside_and_outside_the_log()
    {
        var log = CreateLog();
        Records.AppendUpTo(log, 10, term: 1);
        Records.AppendUpTo(log, 25, term: 3);
        Records.AppendUpTo(log, 26, term: 7);
        Assert.Equal([new TermStart(1, 0), new TermStart(3, 10), new TermStart(7, 25)], log.Terms);
        Assert.Equal(0, log.TermAt(-1));
        Assert.Equal(1, log.TermAt(0));
        Assert.Equal(1, log.TermAt(9));
        Assert.Equal(3, log.TermAt(10));
        Assert.Equal(3, log.TermAt(24));
        Assert.Equal(7, log.TermAt(25));
        Assert.Equal(-1, log.TermAt(26));
        Assert.Equal(-1, log.TermAt(-2));
    }

    [Fact]
    public async Task DurableOffset_advances_only_with_a_flush_and_drops_with_a_truncation()
    {
        var log = CreateLog();
        Records.AppendUpTo(log, 10, term: 1);
        Assert.Equal(0, log.DurableOffset);
        await log.FlushAsync(TestContext.Current.CancellationToken);
        Assert.Equal(10, log.DurableOffset);
        Records.AppendUpTo(log, 15, term: 1);
        Assert.Equal(10, log.DurableOffset);
        log.Truncate(7);
        Assert.Equal(7, log.DurableOffset);
        await log.FlushAsync(TestContext.Current.CancellationToken);
        Assert.Equal(7, log.DurableOffset);
    }

    [Fact]
    public async Task Truncate_removes_the_suffix_and_a_new_term_continues_from_there()
    {
        var log = CreateLog();
        Records.AppendUpTo(log, 20, term: 1);
        Records.AppendUpTo(log, 40, term: 2);
        await log.FlushAsync(TestContext.Current.CancellationToken);
        log.Truncate(15);
        Assert.Equal(15, log.NextOffset);
        Assert.Equal(1, log.LastTerm);
        Assert.Equal([new TermStart(1, 0)], log.Terms);
        Assert.Equal(-1, log.TermAt(15));
        Records.AppendUpTo(log, 18, term: 3);
        Assert.Equal([new TermStart(1, 0), new TermStart(3, 15)], log.Terms);
        var expected = Enumerable.Range(0, 15).Select(o => Records.Make(o, 1)).Concat(Enumerable.Range(15, 3).Select(o => Records.Make(o, 3))).ToList();
        Records.Equal(expected, Records.ReadAll(log));
    }

    [Fact]
    public void Truncate_below_the_start_is_refused_and_at_or_past_the_end_does_nothing()
    {
        var log = CreateLog();
        log.Reset(10, 2);
        Records.AppendUpTo(log, 15, term: 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => log.Truncate(9));
        log.Truncate(15);
        log.Truncate(100);
        Assert.Equal(15, log.NextOffset);
        log.Truncate(10);
        Assert.Equal(10, log.NextOffset);
        Assert.Equal(2, log.LastTerm);
        Assert.Equal([new TermStart(2, 10)], log.Terms);
        Assert.Equal(2, log.TermAt(9));
    }

    [Fact]
    public async Task Reset_starts_an_empty_log_at_the_offset_remembering_the_term_before_it()
    {
        var log = CreateLog();
        Records.AppendUpTo(log, 30, term: 1);
        await log.FlushAsync(TestContext.Current.CancellationToken);
        log.Reset(1000, 5);
        Assert.Equal(1000, log.StartOffset);
        Assert.Equal(1000, log.NextOffset);
        Assert.Equal(5, log.LastTerm);
        Assert.Equal(5, log.TermAt(999));
        Assert.Equal(-1, log.TermAt(1000));
        Assert.Equal(-1, log.TermAt(10));
        Assert.Equal([new TermStart(5, 1000)], log.Terms);
        Assert.Throws<ArgumentException>(() => log.Append(Records.Make(30, 5)));
        Assert.Throws<ArgumentException>(() => log.Append(Records.Make(1000, 4)));
        Records.AppendUpTo(log, 1003, term: 5);
        Records.AppendUpTo(log, 1004, term: 6);
        Assert.Equal([new TermStart(5, 1000), new TermStart(6, 1003)], log.Terms);
        await log.FlushAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1004, log.DurableOffset);
        var all = new List<LogRecord>();
        Assert.Equal(4, log.Read(0, 100, long.MaxValue, all));
        Assert.Equal(1000, all[0].Offset);
    }

    [Fact]
    public void Read_stops_at_the_record_limit_and_the_byte_limit_but_returns_at_least_one_record()
    {
        var log = CreateLog();
        Records.AppendUpTo(log, 50, term: 1, bodyBytes: 100);
        var into = new List<LogRecord>();
        Assert.Equal(5, log.Read(10, 5, long.MaxValue, into));
        Assert.Equal(Enumerable.Range(10, 5).Select(o => (long)o), into.Select(r => r.Offset));

        // Key "key-N" is 5 bytes: each record counts 105 bytes.
        into.Clear();
        Assert.Equal(3, log.Read(20, 100, 3 * 105, into));
        into.Clear();
        Assert.Equal(2, log.Read(20, 100, (3 * 105) - 1, into));
        into.Clear();
        Assert.Equal(1, log.Read(20, 100, 1, into));
        Assert.Equal(20, into[0].Offset);
        into.Clear();
        Assert.Equal(0, log.Read(20, 0, long.MaxValue, into));
        Assert.Equal(0, log.Read(50, 10, long.MaxValue, into));
        Assert.Equal(0, log.Read(500, 10, long.MaxValue, into));
    }

    [Fact]
    public void Read_below_the_start_reads_from_the_start()
    {
        var log = CreateLog();
        log.Reset(100, 1);
        Records.AppendUpTo(log, 110, term: 1);
        var into = new List<LogRecord>();
        Assert.Equal(3, log.Read(0, 3, long.MaxValue, into));
        Assert.Equal([100L, 101, 102], into.Select(r => r.Offset));
    }

    [Fact]
    public void Read_from_every_offset_returns_the_records_from_there()
    {
        var log = CreateLog();
        Records.AppendUpTo(log, 120, term: 1, bodyBytes: 90);
        Records.AppendUpTo(log, 130, term: 2, bodyBytes: 90);
        var expected = Records.ReadAll(log);
        for (var from = 0; from < 130; from++)
        {
            var into = new List<LogRecord>();
            log.Read(from, 4, long.MaxValue, into);
            Records.Equal(expected.Skip(from).Take(4).ToList(), into);
        }
    }

    [Fact]
    public async Task After_a_crash_every_flushed_record_is_there_and_no_record_truncated_before_a_flush()
    {
        var log = CreateLog();
        Records.AppendUpTo(log, 40, term: 1);
        await log.FlushAsync(TestContext.Current.CancellationToken);
        log.Truncate(30);
        Records.AppendUpTo(log, 35, term: 2);
        await log.FlushAsync(TestContext.Current.CancellationToken);
        Records.AppendUpTo(log, 45, term: 2);
        var durable = log.DurableOffset;
        var expected = Records.ReadAll(log);

        log = CrashAndReopen(log);
        Assert.True(log.NextOffset >= durable, $"the log reopened with {log.NextOffset} records, {durable} were durable");
        var after = Records.ReadAll(log);
        Records.Equal(expected.Take(after.Count).ToList(), after);
        Assert.All(after.Where(r => r.Offset is >= 30 and < 40), r => Assert.Equal(2, r.Term));
        Assert.Equal(log.NextOffset, log.DurableOffset);
    }
}

/// <summary>The contract against the in-memory model.</summary>
public sealed class MemoryPartitionLogContract : PartitionLogContract
{
    protected override IPartitionLog CreateLog() => new MemoryPartitionLog(3);

    protected override IPartitionLog CrashAndReopen(IPartitionLog log)
    {
        ((MemoryPartitionLog)log).Crash(new Random(7));
        return log;
    }

    public override void Dispose()
    {
    }
}

/// <summary>The contract against the file log, with 1 KiB index intervals and 4 KiB segments.</summary>
public sealed class FilePartitionLogContract : PartitionLogContract
{
    private readonly TempDirectory _directory = new();
    private LogStore _store;

    public FilePartitionLogContract() => _store = LogStore.Open(Options);

    private LogStoreOptions Options => new()
    {
        DataDirectory = _directory.Path,
        SegmentBytes = 4096,
        IndexIntervalBytes = 1024,
        TailCacheBytes = 2048,
    };

    protected override IPartitionLog CreateLog() => _store.OpenPartition(3);

    protected override IPartitionLog CrashAndReopen(IPartitionLog log)
    {
        _store.Crash();
        _store = LogStore.Open(Options);
        return _store.OpenPartition(3);
    }

    public override void Dispose()
    {
        _store.Dispose();
        _directory.Dispose();
    }
}
