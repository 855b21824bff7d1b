namespace DataCluster.Storage;

/// <summary>
/// An <see cref="IPartitionLog"/> in memory that models what a crash keeps, for simulations and
/// tests: <see cref="Crash"/> turns the log into a state the disk could hold after a power cut.
/// </summary>
/// <remarks>Not thread-safe, like every <see cref="IPartitionLog"/>.</remarks>
public sealed class MemoryPartitionLog : IPartitionLog
{
    private State _current;
    private State _durable;
    private long _damagedFrom = long.MaxValue;

    /// <summary>An empty log of <paramref name="partition"/>.</summary>
    public MemoryPartitionLog(int partition)
    {
        Partition = partition;
        _current = new State(0, 0, []);
        _durable = _current.Copy();
    }

    /// <inheritdoc/>
    public int Partition { get; }

    /// <inheritdoc/>
    public long StartOffset => _current.Start;

    /// <inheritdoc/>
    public long NextOffset => _current.Start + _current.Records.Count;

    /// <inheritdoc/>
    public long DurableOffset { get; private set; }

    /// <inheritdoc/>
    public long LastTerm => _current.Records.Count > 0 ? _current.Records[^1].Term : _current.TermBefore;

    /// <inheritdoc/>
    public IReadOnlyList<TermStart> Terms
    {
        get
        {
            var terms = new List<TermStart>();
            if (_current.TermBefore > 0)
            {
                terms.Add(new TermStart(_current.TermBefore, _current.Start));
            }

            foreach (var record in _current.Records)
            {
                if (terms.Count == 0 || terms[^1].Term != record.Term)
                {
                    terms.Add(new TermStart(record.Term, record.Offset));
                }
            }

            return terms;
        }
    }

    /// <summary>Number of <see cref="FlushAsync"/> calls, for tests.</summary>
    public int Flushes { get; private set; }

    /// <inheritdoc/>
    public long TermAt(long offset)
    {
        if (offset == _current.Start - 1)
        {
            return _current.TermBefore;
        }

        return offset >= _current.Start && offset < NextOffset ? _current.Records[(int)(offset - _current.Start)].Term : -1;
    }

    /// <inheritdoc/>
    public void Append(LogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Offset != NextOffset)
        {
            throw new ArgumentException($"partition {Partition}: record offset {record.Offset} is not the next offset {NextOffset}", nameof(record));
        }

        if (record.Term < LastTerm)
        {
            throw new ArgumentException($"partition {Partition}: record term {record.Term} is below the last term {LastTerm}", nameof(record));
        }

        _current.Records.Add(record);
    }

    /// <inheritdoc/>
    public void Truncate(long nextOffset)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nextOffset, _current.Start);
        if (nextOffset >= NextOffset)
        {
            return;
        }

        _current.Records.RemoveRange((int)(nextOffset - _current.Start), (int)(NextOffset - nextOffset));
        DurableOffset = Math.Min(DurableOffset, nextOffset);
    }

    /// <inheritdoc/>
    public void Reset(long startOffset, long termBefore)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startOffset);
        _current = new State(startOffset, termBefore, []);
        DurableOffset = Math.Min(DurableOffset, startOffset);
    }

    /// <inheritdoc/>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _durable = _current.Copy();
        DurableOffset = NextOffset;
        Flushes++;
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Models a record at <paramref name="offset"/> that fails its checksum (damage a crash cannot
    /// explain): from now on a read that reaches it throws <see cref="LogCorruptedException"/>, as
    /// the file log does.
    /// </summary>
    public void Damage(long offset) => _damagedFrom = offset;

    /// <inheritdoc/>
    public int Read(long fromOffset, int maxRecords, long maxBytes, ICollection<LogRecord> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var added = 0;
        long bytes = 0;
        for (var offset = Math.Max(fromOffset, _current.Start); offset < NextOffset && added < maxRecords; offset++)
        {
            if (offset == _damagedFrom)
            {
                throw new LogCorruptedException($"memory:{Partition}", offset, "the record fails its checksum");
            }

            var record = _current.Records[(int)(offset - _current.Start)];
            if (added > 0 && bytes + record.Key.Length + record.Body.Length > maxBytes)
            {
                break;
            }

            into.Add(record);
            bytes += record.Key.Length + record.Body.Length;
            added++;
        }

        return added;
    }

    /// <summary>
    /// Simulates a crash and restart. Without <paramref name="random"/> the log returns to its
    /// state at the last flush. With it, the log may instead keep any prefix of what was written
    /// since, at least as long as the part it shares with the flushed state, as a disk may do
    /// when writes reached it but the fsync did not complete.
    /// </summary>
    public void Crash(Random? random = null)
    {
        var next = _durable.Copy();
        if (random is not null && random.Next(2) == 1 && next.Start == _current.Start)
        {
            var shared = 0;
            while (shared < next.Records.Count && shared < _current.Records.Count && next.Records[shared].SameContent(_current.Records[shared]))
            {
                shared++;
            }

            var keep = random.Next(shared, _current.Records.Count + 1);
            next = new State(_current.Start, _current.TermBefore, _current.Records.GetRange(0, keep));
        }

        _current = next;
        _durable = next.Copy();
        DurableOffset = NextOffset;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private sealed record State(long Start, long TermBefore, List<LogRecord> Records)
    {
        public State Copy() => this with { Records = [.. Records] };
    }
}
