using System.Buffers;

namespace DataCluster.Storage.Files;

/// <summary>
/// A growable byte buffer on <see cref="ArrayPool{T}.Shared"/>: the bytes a segment has been given
/// but not yet written to its file. Not thread-safe.
/// </summary>
internal sealed class PooledBuffer : IDisposable
{
    /// <summary>
    /// First rent: a few dozen 256-byte records, what one partition typically gets in one
    /// replication round, fit without growing; small enough that hundreds of partitions holding
    /// one between append and flush cost little memory.
    /// </summary>
    private const int InitialBytes = 16 * 1024;

    private byte[] _array = [];

    public int Count { get; private set; }

    public ReadOnlySpan<byte> Written => _array.AsSpan(0, Count);

    public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, Count);

    /// <summary>A span of exactly <paramref name="size"/> bytes at the end; call <see cref="Advance"/> after filling it.</summary>
    public Span<byte> GetSpan(int size)
    {
        if (_array.Length - Count < size)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(InitialBytes, Math.Max(Count + size, _array.Length * 2)));
            Written.CopyTo(grown);
            Release();
            _array = grown;
        }

        return _array.AsSpan(Count, size);
    }

    public void Advance(int size) => Count += size;

    /// <summary>Drops the last bytes, keeping the first <paramref name="count"/>.</summary>
    public void Shorten(int count) => Count = Math.Min(Count, count);

    /// <summary>Empties the buffer and gives its array back to the pool.</summary>
    public void Clear()
    {
        Count = 0;
        Release();
    }

    public void Dispose() => Clear();

    private void Release()
    {
        if (_array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = [];
        }
    }
}
