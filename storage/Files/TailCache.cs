namespace DataCluster.Storage.Files;

/// <summary>
/// The most recent records of one partition, bounded by their encoded size, so that followers
/// catching up on recent data are served from memory. Keeps the record instances given to
/// <see cref="PartitionLog.Append"/>. Not thread-safe: owned by one <see cref="PartitionLog"/>.
/// </summary>
internal sealed class TailCache(long maxBytes)
{
    private LogRecord[] _records = new LogRecord[16];
    private int[] _sizes = new int[16];
    private int _head;
    private long _bytes;

    public int Count { get; private set; }

    /// <summary>Offset of the oldest cached record; <see cref="long.MaxValue"/> when empty.</summary>
    public long FirstOffset => Count > 0 ? _records[_head].Offset : long.MaxValue;

    /// <summary>Adds the record that follows the cached ones (offsets are dense), evicting the oldest beyond the byte bound.</summary>
    public void Add(LogRecord record, int encodedSize)
    {
        if (maxBytes <= 0)
        {
            return;
        }

        if (Count > 0 && record.Offset != _records[Slot(Count - 1)].Offset + 1)
        {
            Clear();
        }

        if (Count == _records.Length)
        {
            Grow();
        }

        _records[Slot(Count)] = record;
        _sizes[Slot(Count)] = encodedSize;
        Count++;
        _bytes += encodedSize;
        while (Count > 0 && _bytes > maxBytes)
        {
            _bytes -= _sizes[_head];
            _records[_head] = null!;
            _head = (_head + 1) % _records.Length;
            Count--;
        }
    }

    /// <summary>The cached record at <paramref name="offset"/>, which is at or above <see cref="FirstOffset"/> and cached.</summary>
    public LogRecord Get(long offset) => _records[Slot((int)(offset - FirstOffset))];

    /// <summary>Forgets records at or above <paramref name="offset"/>.</summary>
    public void RemoveFrom(long offset)
    {
        while (Count > 0 && _records[Slot(Count - 1)].Offset >= offset)
        {
            Count--;
            _bytes -= _sizes[Slot(Count)];
            _records[Slot(Count)] = null!;
        }
    }

    /// <summary>Forgets records below <paramref name="offset"/>.</summary>
    public void RemoveBefore(long offset)
    {
        while (Count > 0 && _records[_head].Offset < offset)
        {
            _bytes -= _sizes[_head];
            _records[_head] = null!;
            _head = (_head + 1) % _records.Length;
            Count--;
        }
    }

    public void Clear()
    {
        Array.Clear(_records);
        _head = 0;
        Count = 0;
        _bytes = 0;
    }

    private int Slot(int index) => (_head + index) % _records.Length;

    private void Grow()
    {
        var records = new LogRecord[_records.Length * 2];
        var sizes = new int[records.Length];
        for (var i = 0; i < Count; i++)
        {
            records[i] = _records[Slot(i)];
            sizes[i] = _sizes[Slot(i)];
        }

        _records = records;
        _sizes = sizes;
        _head = 0;
    }
}
