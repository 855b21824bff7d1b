using DataCluster.Storage.Format;

namespace DataCluster.Storage;

/// <summary>Retention of a <see cref="PartitionLog"/>: deleting its oldest whole segments.</summary>
public sealed partial class PartitionLog
{
    internal RetentionResult DeleteOldSegments(long? retentionBytes, TimeSpan? retentionAge, long nowMilliseconds, long retainFrom)
    {
        ThrowIfUnusable();
        var total = SizeBytes;
        var deleted = 0;
        var bytes = 0L;
        var oldestKept = retentionAge is { } age ? nowMilliseconds - (long)age.TotalMilliseconds : long.MinValue;
        while (_segments.Count > 1)
        {
            var oldest = _segments[0];

            // The next segment becomes the start of the log: its header must already be durable.
            if (oldest.NextOffset > retainFrom || _segments[1].SyncedLength < SegmentFormat.SegmentHeaderBytes)
            {
                break;
            }

            var bySize = retentionBytes is { } limit && total - oldest.Length >= limit;
            var byAge = retentionAge is not null && oldest.LastTimestamp < oldestKept;
            if (!bySize && !byAge)
            {
                break;
            }

            total -= oldest.Length;
            bytes += oldest.Length;
            Guard(oldest.Delete);
            _segments.RemoveAt(0);
            deleted++;
        }

        if (deleted > 0)
        {
            _directoryUnsynced = true;
            _termBefore = _segments[0].TermBefore;
            var start = StartOffset;
            var terms = new List<TermStart>();
            if (_termBefore > 0)
            {
                terms.Add(new TermStart(_termBefore, start));
            }

            foreach (var term in _terms)
            {
                if (term.StartOffset >= start && (terms.Count == 0 || terms[^1].Term != term.Term))
                {
                    terms.Add(term);
                }
            }

            _terms = terms;
            _cache.RemoveBefore(start);
        }

        return new RetentionResult(deleted, bytes, StartOffset);
    }
}
