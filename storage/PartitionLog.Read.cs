using System.Buffers;
using DataCluster.Storage.Files;
using DataCluster.Storage.Format;

namespace DataCluster.Storage;

/// <summary>The read path of a <see cref="PartitionLog"/>: the tail cache first, the segment files below it.</summary>
public sealed partial class PartitionLog
{
    /// <summary>
    /// First read size from a segment: about two hundred 256-byte records, so one syscall serves
    /// a typical catch-up batch; a larger record grows the read to fit it.
    /// </summary>
    private const int ReadChunkBytes = 64 * 1024;

    /// <inheritdoc/>
    /// <exception cref="LogCorruptedException">A record on disk fails its CRC or is not where the index says.</exception>
    public int Read(long fromOffset, int maxRecords, long maxBytes, ICollection<LogRecord> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var reader = new Budget(maxRecords, maxBytes, into);
        var offset = Math.Max(fromOffset, StartOffset);
        var cached = Math.Max(_cache.FirstOffset, StartOffset);
        if (offset < cached)
        {
            offset = ReadSegments(offset, Math.Min(cached, NextOffset), ref reader);
            if (offset < cached)
            {
                return reader.Added;
            }
        }

        while (offset < NextOffset && reader.Take(_cache.Get(offset)))
        {
            offset++;
        }

        return reader.Added;
    }

    /// <summary>Reads records from <paramref name="offset"/> up to <paramref name="end"/> from the segments; returns the offset it stopped at.</summary>
    private long ReadSegments(long offset, long end, ref Budget reader)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadChunkBytes);
        try
        {
            var index = SegmentIndexOf(offset);
            while (offset < end && index < _segments.Count)
            {
                var segment = _segments[index];
                var (position, at) = segment.Floor(offset);
                var segmentEnd = Math.Min(end, segment.NextOffset);
                while (at < segmentEnd)
                {
                    var read = segment.ReadAt(position, buffer);
                    var status = RecordCodec.TryReadFrame(buffer.AsSpan(0, read), out var info);
                    if (status == FrameStatus.Incomplete && info.Length > buffer.Length)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(info.Length);
                        continue;
                    }

                    // Every record in the window.
                    var window = buffer.AsSpan(0, read);
                    var used = 0;
                    while (at < segmentEnd)
                    {
                        status = RecordCodec.TryReadFrame(window[used..], out info);
                        if (status == FrameStatus.Incomplete && used > 0)
                        {
                            break;
                        }

                        if (status != FrameStatus.Valid || info.Offset != at)
                        {
                            throw new LogCorruptedException(segment.FilePath, position + used,
                                status == FrameStatus.Valid ? $"offset {at} was expected there, the record says {info.Offset}" : $"the record at offset {at} fails its check ({status})");
                        }

                        if (at >= offset)
                        {
                            if (!reader.Take(RecordCodec.Materialize(window.Slice(used, info.Length))))
                            {
                                return at;
                            }

                            offset = at + 1;
                        }

                        used += info.Length;
                        at++;
                    }

                    position += used;
                }

                offset = Math.Max(offset, segmentEnd);
                index++;
            }

            return offset;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Index of the segment holding <paramref name="offset"/> (the last one whose base is at or below it).</summary>
    private int SegmentIndexOf(long offset)
    {
        var low = 0;
        var high = _segments.Count - 1;
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (_segments[middle].BaseOffset <= offset)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return low;
    }

    /// <summary>The limits of one <see cref="Read"/>: as <see cref="IPartitionLog.Read"/> states them.</summary>
    private struct Budget(int maxRecords, long maxBytes, ICollection<LogRecord> into)
    {
        private long _bytes;

        public int Added { get; private set; }

        public bool Take(LogRecord record)
        {
            var size = record.Key.Length + record.Body.Length;
            if (Added >= maxRecords || (Added > 0 && _bytes + size > maxBytes))
            {
                return false;
            }

            into.Add(record);
            _bytes += size;
            Added++;
            return true;
        }
    }
}
