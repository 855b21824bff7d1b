using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace DataCluster.Testing.Checking;

/// <summary>What a writer knows about one write it attempted.</summary>
/// <param name="Key">The entity key.</param>
/// <param name="Sequence">The writer's sequence number for that key, from 0, increasing by one per attempt.</param>
/// <param name="Acknowledged">True when the cluster acknowledged it at the commit level asked for.</param>
/// <param name="Partition">The partition the answer named, when acknowledged.</param>
/// <param name="Offset">The offset the answer named, when acknowledged.</param>
public sealed record WriteAttempt(string Key, long Sequence, bool Acknowledged, int Partition = -1, long Offset = -1);

/// <summary>One committed event as read back from one member's copy of a partition.</summary>
/// <param name="Offset">Its offset.</param>
/// <param name="Epoch">The partition epoch it was written in.</param>
/// <param name="Key">The key.</param>
/// <param name="Body">The body as written.</param>
public sealed record ReadEvent(long Offset, long Epoch, string Key, string Body);

/// <summary>What the checker concluded.</summary>
/// <param name="Attempted">Writes attempted.</param>
/// <param name="Acknowledged">Writes acknowledged.</param>
/// <param name="Lost">Acknowledged writes missing from the committed log of the partition's replicas.</param>
/// <param name="OutOfOrder">Keys whose acknowledged sequence numbers appear out of order (key and the first offending pair).</param>
/// <param name="Diverged">Partitions whose committed prefixes differ between members (partition, offset, members).</param>
/// <param name="UnacknowledgedLanded">Writes not acknowledged that are nevertheless in the log (allowed: the client was told the outcome was unknown).</param>
/// <param name="Duplicates">Events that occur more than once in a log (a retried write without a producer id).</param>
/// <param name="AtWrongOffset">Acknowledged writes found at another offset than their answer said.</param>
public sealed record CheckResult(
    long Attempted,
    long Acknowledged,
    IReadOnlyList<WriteAttempt> Lost,
    IReadOnlyList<string> OutOfOrder,
    IReadOnlyList<string> Diverged,
    long UnacknowledgedLanded,
    long Duplicates,
    IReadOnlyList<WriteAttempt> AtWrongOffset)
{
    /// <summary>True when no acknowledged write was lost or misplaced, every key kept its order and no prefixes diverged.</summary>
    public bool Ok => Lost.Count == 0 && OutOfOrder.Count == 0 && Diverged.Count == 0 && AtWrongOffset.Count == 0;

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Attempted} writes attempted, {Acknowledged} acknowledged, {Lost.Count} acknowledged lost, {AtWrongOffset.Count} at another offset, ");
        text.Append(CultureInfo.InvariantCulture, $"{OutOfOrder.Count} keys out of order, {Diverged.Count} partitions diverged, {UnacknowledgedLanded} unacknowledged landed, {Duplicates} duplicates");
        foreach (var lost in Lost.Take(10))
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  lost: {lost}");
        }

        foreach (var line in OutOfOrder.Take(10).Concat(Diverged.Take(10)))
        {
            text.Append("\n  ").Append(line);
        }

        return text.ToString();
    }
}

/// <summary>
/// Checks a history of writes against what the members' logs hold afterwards. Writers record
/// every attempt (the body of write N of key K is <see cref="Body"/>(K, N)); once the cluster is
/// quiet, the test reads every partition from every live member that holds it and the checker
/// reports: acknowledged writes lost, keys whose acknowledged writes are out of order, committed
/// prefixes that differ between members, and unacknowledged writes that landed anyway (allowed,
/// counted). Thread-safe for concurrent <see cref="Record"/> calls.
/// </summary>
public sealed class WriteChecker
{
    private readonly ConcurrentQueue<WriteAttempt> _attempts = new();

    /// <summary>The body a writer sends for write <paramref name="sequence"/> of <paramref name="key"/>: "KEY#SEQUENCE".</summary>
    public static string Body(string key, long sequence) => string.Create(CultureInfo.InvariantCulture, $"{key}#{sequence}");

    /// <summary>Records one attempt and its outcome.</summary>
    public void Record(WriteAttempt attempt) => _attempts.Enqueue(attempt);

    /// <summary>Every attempt recorded so far.</summary>
    public IReadOnlyCollection<WriteAttempt> Attempts => _attempts;

    /// <summary>
    /// Checks the recorded history against <paramref name="logs"/>: per partition, per member,
    /// that member's committed events in offset order.
    /// </summary>
    /// <param name="partitionOf">The partition of a key (the cluster's hash).</param>
    public CheckResult Check(IReadOnlyDictionary<int, IReadOnlyDictionary<string, IReadOnlyList<ReadEvent>>> logs, Func<string, int> partitionOf)
    {
        ArgumentNullException.ThrowIfNull(logs);
        ArgumentNullException.ThrowIfNull(partitionOf);
        var attempts = _attempts.ToList();
        var diverged = new List<string>();
        var longest = new Dictionary<int, IReadOnlyList<ReadEvent>>();
        foreach (var (partition, members) in logs.OrderBy(p => p.Key))
        {
            CheckPrefixes(partition, members, diverged);
            longest[partition] = members.Values.MaxBy(l => l.Count) ?? [];
        }

        var found = new Dictionary<string, List<ReadEvent>>(StringComparer.Ordinal);
        var duplicates = 0L;
        foreach (var events in longest.Values)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in events)
            {
                if (!seen.Add(e.Body))
                {
                    duplicates++;
                }

                if (!found.TryGetValue(e.Body, out var list))
                {
                    found[e.Body] = list = [];
                }

                list.Add(e);
            }
        }

        var lost = new List<WriteAttempt>();
        var wrongOffset = new List<WriteAttempt>();
        var acknowledged = attempts.Where(a => a.Acknowledged).ToList();
        foreach (var attempt in acknowledged)
        {
            if (!logs.ContainsKey(partitionOf(attempt.Key)))
            {
                continue;
            }

            if (!found.TryGetValue(Body(attempt.Key, attempt.Sequence), out var events))
            {
                lost.Add(attempt);
            }
            else if (attempt.Offset >= 0 && !events.Any(e => e.Offset == attempt.Offset))
            {
                wrongOffset.Add(attempt);
            }
        }

        var outOfOrder = new List<string>();
        foreach (var byKey in acknowledged.GroupBy(a => a.Key, StringComparer.Ordinal))
        {
            long previousOffset = -1;
            long previousSequence = -1;
            foreach (var attempt in byKey.OrderBy(a => a.Sequence))
            {
                if (!found.TryGetValue(Body(attempt.Key, attempt.Sequence), out var events))
                {
                    continue;
                }

                var offset = events.Min(e => e.Offset);
                if (offset < previousOffset)
                {
                    outOfOrder.Add(string.Create(CultureInfo.InvariantCulture,
                        $"key {byKey.Key}: write {attempt.Sequence} at offset {offset} comes before write {previousSequence} at offset {previousOffset}"));
                    break;
                }

                previousOffset = offset;
                previousSequence = attempt.Sequence;
            }
        }

        var acknowledgedBodies = acknowledged.Select(a => Body(a.Key, a.Sequence)).ToHashSet(StringComparer.Ordinal);
        var landed = attempts.Count(a => !a.Acknowledged && found.ContainsKey(Body(a.Key, a.Sequence)) && !acknowledgedBodies.Contains(Body(a.Key, a.Sequence)));
        return new CheckResult(attempts.Count, acknowledged.Count, lost, outOfOrder, diverged, landed, duplicates, wrongOffset);
    }

    /// <summary>Every member's committed events of a partition must be a prefix of the longest: same offsets, epochs, keys and bodies.</summary>
    private static void CheckPrefixes(int partition, IReadOnlyDictionary<string, IReadOnlyList<ReadEvent>> members, List<string> diverged)
    {
        var reference = members.MaxBy(m => m.Value.Count);
        foreach (var (member, events) in members)
        {
            for (var i = 0; i < events.Count; i++)
            {
                if (events[i] != reference.Value[i])
                {
                    diverged.Add(string.Create(CultureInfo.InvariantCulture,
                        $"partition {partition}: {member} has {events[i]} where {reference.Key} has {reference.Value[i]}"));
                    return;
                }
            }
        }
    }
}
