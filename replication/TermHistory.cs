using DataCluster.Storage;

namespace DataCluster.Replication;

/// <summary>
/// Finds where two logs of one partition stop agreeing from their term histories alone, as
/// Kafka's OffsetsForLeaderEpoch does. Two logs that hold a record of the same term at the same
/// offset hold the same records up to it (one leader per term, and followers append only after
/// their previous record matched), so the logs agree up to the end of the highest term whose
/// ranges overlap in both.
/// </summary>
/// <remarks>Pure functions; thread-safe. Cost is linear in the number of terms, not records.</remarks>
public static class TermHistory
{
    /// <summary>
    /// The first offset at which the logs may differ: every offset below it holds the same record
    /// in both (or lies below a log's start). 0 when they share no term.
    /// </summary>
    /// <param name="a">The first log's term history, terms increasing.</param>
    /// <param name="aNext">One past the first log's last record.</param>
    /// <param name="b">The second log's term history, terms increasing.</param>
    /// <param name="bNext">One past the second log's last record.</param>
    public static long Divergence(IReadOnlyList<TermStart> a, long aNext, IReadOnlyList<TermStart> b, long bNext)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        long agreed = 0;
        var j = 0;
        for (var i = 0; i < a.Count; i++)
        {
            var term = a[i].Term;
            while (j < b.Count && b[j].Term < term)
            {
                j++;
            }

            if (j == b.Count)
            {
                break;
            }

            if (b[j].Term != term)
            {
                continue;
            }

            var aEnd = i + 1 < a.Count ? a[i + 1].StartOffset : aNext;
            var bEnd = j + 1 < b.Count ? b[j + 1].StartOffset : bNext;
            var low = Math.Max(a[i].StartOffset, b[j].StartOffset);
            var high = Math.Min(aEnd, bEnd);
            if (high > low)
            {
                agreed = Math.Max(agreed, high);
            }
        }

        return agreed;
    }
}
