using DataCluster.Storage;
using FsCheck;
using FsCheck.Fluent;

namespace DataCluster.Storage.Tests;

/// <summary>One step of a random history run against a file log.</summary>
public abstract record LogStep;

/// <summary>Appends records, in the last term or the next one.</summary>
public sealed record AppendStep(int Count, bool NextTerm, int BodyBytes) : LogStep;

/// <summary>Truncates the last <paramref name="Back"/> records (or fewer).</summary>
public sealed record TruncateStep(int Back) : LogStep;

/// <summary>Flushes the log.</summary>
public sealed record FlushStep : LogStep;

/// <summary>Resets the log <paramref name="Gap"/> offsets past its end.</summary>
public sealed record ResetStep(int Gap) : LogStep;

/// <summary>How a crash leaves the bytes written since the last fsync.</summary>
public enum CrashKind
{
    /// <summary>Nothing pending reached the file.</summary>
    Clean,

    /// <summary>The pending bytes reached the file, which is then cut at a random byte past the synced length.</summary>
    Torn,

    /// <summary>The pending bytes reached the file, followed by zeros the file system extended it with.</summary>
    ZeroFilled,

    /// <summary>The pending bytes reached the file but some of them read back as garbage.</summary>
    Garbage,
}

/// <summary>Kills the process (as <see cref="CrashKind"/> says) and reopens the log.</summary>
public sealed record CrashStep(CrashKind Kind, int Seed) : LogStep;

/// <summary>
/// Random histories of appends, truncations, flushes, resets and crashes (with torn, zero-filled
/// or garbled tails) against <see cref="PartitionLog"/>, compared with a model after every step.
/// After every reopen the log must equal either the model's state at the last completed flush,
/// or a prefix of its current state that holds every record below the durable offset; and it
/// must never hold a record truncated before a flush that completed.
/// </summary>
public sealed class PartitionLogProperties
{
    /// <summary>Each case opens a store, flushes with fsync and crashes a few times: 100 cases take about 20 s on two cores.</summary>
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(100);

    private static Gen<LogStep> Steps => Gen.Frequency(
        (6, from count in Gen.Choose(1, 30) from next in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true))) from body in Gen.Choose(0, 400) select (LogStep)new AppendStep(count, next, body)),
        (2, Gen.Choose(0, 40).Select(back => (LogStep)new TruncateStep(back))),
        (3, Gen.Constant((LogStep)new FlushStep())),
        (1, Gen.Choose(0, 50).Select(gap => (LogStep)new ResetStep(gap))),
        (2, from kind in Gen.Elements(CrashKind.Clean, CrashKind.Torn, CrashKind.ZeroFilled, CrashKind.Garbage) from seed in Gen.Choose(0, int.MaxValue) select (LogStep)new CrashStep(kind, seed)));

    private static Arbitrary<LogStep[]> Histories => Arb.From(
        from length in Gen.Choose(1, 40)
        from steps in Gen.ListOf(Steps, length)
        select steps.ToArray());

    [Fact]
    public void A_file_log_keeps_every_durable_record_and_never_resurrects_a_truncated_one()
    {
        Check.One(Quick, Prop.ForAll(Histories, steps => new History(writeAheadLog: true).Run(steps)));
    }

    [Fact]
    public void Without_the_write_ahead_log_a_file_log_keeps_every_durable_record_and_never_resurrects_a_truncated_one()
    {
        Check.One(Quick, Prop.ForAll(Histories, steps => new History(writeAheadLog: false).Run(steps)));
    }

    /// <summary>One run: the store under test and the model.</summary>
    private sealed class History(bool writeAheadLog)
    {
        private readonly HashSet<long> _killed = [];
        private readonly List<long> _truncatedSinceFlush = [];
        private Model _current = new(0, 0, []);
        private Model _durable = new(0, 0, []);
        private long _durableOffset;
        private long _nextId;

        public void Run(LogStep[] steps)
        {
            using var harness = new StoreHarness(o => o with { SegmentBytes = 4096, IndexIntervalBytes = 256, TailCacheBytes = 1024, FlushParallelism = 4, WriteAheadLog = writeAheadLog });
            var log = harness.Log();
            foreach (var step in steps)
            {
                switch (step)
                {
                    case AppendStep append:
                        var term = Math.Max(1, _current.LastTerm + (append.NextTerm ? 1 : 0));
                        for (var i = 0; i < append.Count; i++)
                        {
                            var record = new LogRecord(_current.Next, term, RecordKind.Data, ++_nextId, "k"u8.ToArray(), null, new byte[append.BodyBytes]);
                            log.Append(record);
                            _current.Records.Add(record);
                        }

                        break;
                    case TruncateStep truncate:
                        var to = Math.Max(_current.Start, _current.Next - truncate.Back);
                        log.Truncate(to);
                        _truncatedSinceFlush.AddRange(_current.Records.Skip((int)(to - _current.Start)).Select(r => r.Timestamp));
                        _current.Records.RemoveRange((int)(to - _current.Start), (int)(_current.Next - to));
                        _durableOffset = Math.Min(_durableOffset, to);
                        break;
                    case FlushStep:
                        log.FlushAsync(TestContext.Current.CancellationToken).AsTask().GetAwaiter().GetResult();
                        _durable = _current.Copy();
                        _durableOffset = _current.Next;
                        _killed.UnionWith(_truncatedSinceFlush);
                        _truncatedSinceFlush.Clear();
                        break;
                    case ResetStep reset:
                        var start = _current.Next + reset.Gap;
                        log.Reset(start, _current.LastTerm);
                        _truncatedSinceFlush.AddRange(_current.Records.Select(r => r.Timestamp));
                        _current = new Model(start, _current.LastTerm, []);
                        _durableOffset = Math.Min(_durableOffset, start);
                        break;
                    case CrashStep crash:
                        log = CrashAndReopen(harness, log, crash);
                        CheckReopened(log, step);
                        break;
                }

                Assert.Equal(_durableOffset, log.DurableOffset);
                CheckSame(log, _current, step);
            }
        }

        private static PartitionLog CrashAndReopen(StoreHarness harness, PartitionLog log, CrashStep crash)
        {
            if (crash.Kind == CrashKind.Clean)
            {
                return harness.CrashAndReopen();
            }

            log.WritePendingForTest();
            var path = log.ActiveSegmentPath;
            var synced = log.ActiveSegmentSyncedLength;
            harness.Crash();
            var random = new Random(crash.Seed);
            var bytes = File.ReadAllBytes(path);
            var unsynced = bytes.Length - (int)synced;
            switch (crash.Kind)
            {
                case CrashKind.Torn:
                    File.WriteAllBytes(path, bytes[..((int)synced + random.Next(unsynced + 1))]);
                    break;
                case CrashKind.ZeroFilled:
                    File.WriteAllBytes(path, [.. bytes, .. new byte[random.Next(1, 5000)]]);
                    break;
                case CrashKind.Garbage when unsynced > 0:
                    var from = (int)synced + random.Next(unsynced);
                    random.NextBytes(bytes.AsSpan(from, random.Next(1, bytes.Length - from + 1)));
                    File.WriteAllBytes(path, bytes);
                    break;
            }

            return harness.Reopen();
        }

        private void CheckReopened(PartitionLog log, LogStep step)
        {
            var records = Records.ReadAll(log);
            var termBefore = log.TermAt(log.StartOffset - 1);
            var isDurable = log.StartOffset == _durable.Start && termBefore == _durable.TermBefore && Same(records, _durable.Records);
            var isPrefix = log.StartOffset == _current.Start && termBefore == _current.TermBefore
                && records.Count <= _current.Records.Count && log.NextOffset >= _durableOffset
                && Same(records, _current.Records.Take(records.Count).ToList());
            Assert.True(isDurable || isPrefix, $"after {step}: the log reopened at {log.StartOffset}..{log.NextOffset}, neither the durable state {_durable} nor a prefix of {_current} holding offsets below {_durableOffset}; {log.Recovery}");
            Assert.DoesNotContain(records, r => _killed.Contains(r.Timestamp));

            _current = new Model(log.StartOffset, termBefore, records);
            _durable = _current.Copy();
            _durableOffset = log.NextOffset;
            _truncatedSinceFlush.Clear();
        }

        private static void CheckSame(PartitionLog log, Model model, LogStep step)
        {
            Assert.Equal(model.Start, log.StartOffset);
            Assert.Equal(model.Next, log.NextOffset);
            Assert.Equal(model.LastTerm, log.LastTerm);
            Assert.Equal(model.Terms(), log.Terms);
            Assert.True(Same(Records.ReadAll(log, batch: 13), model.Records), $"after {step}: the records read differ from the model's");
        }

        private static bool Same(List<LogRecord> actual, List<LogRecord> expected) =>
            actual.Count == expected.Count && actual.Zip(expected).All(pair => pair.First.SameContent(pair.Second));
    }

    /// <summary>The model of a log: its start, the term before it and its records.</summary>
    private sealed record Model(long Start, long TermBefore, List<LogRecord> Records)
    {
        public long Next => Start + Records.Count;

        public long LastTerm => Records.Count > 0 ? Records[^1].Term : TermBefore;

        public Model Copy() => this with { Records = [.. Records] };

        public List<TermStart> Terms()
        {
            var terms = new List<TermStart>();
            if (TermBefore > 0)
            {
                terms.Add(new TermStart(TermBefore, Start));
            }

            foreach (var record in Records)
            {
                if (terms.Count == 0 || terms[^1].Term != record.Term)
                {
                    terms.Add(new TermStart(record.Term, record.Offset));
                }
            }

            return terms;
        }

        public override string ToString() => $"{Start}..{Next} (term before {TermBefore})";
    }
}
