using DataCluster.Storage;

namespace DataCluster.Replication;

/// <summary>
/// Idempotent producers of one partition, Kafka's model: per producer id the most recent
/// sequences with the offset and term of their record, so that a retry gets the original offset
/// instead of a second copy. Bounded: <see cref="ReplicationOptions.ProducerSequencesKept"/>
/// sequences per producer, and a producer silent for <see cref="ReplicationOptions.ProducerExpiryMs"/>
/// is forgotten (a retry after that is written again).
/// </summary>
/// <remarks>Not thread-safe; owned by one partition leader.</remarks>
internal sealed class ProducerTable(int kept, long expiryMs)
{
    private readonly Dictionary<string, Producer> _producers = new(StringComparer.Ordinal);
    private long _nextExpiryScan;

    public int Count => _producers.Count;

    /// <summary>What the table knows of a sequence.</summary>
    public SequenceCheck Check(string producerId, long sequence, out long offset, out long term)
    {
        offset = -1;
        term = 0;
        if (!_producers.TryGetValue(producerId, out var producer) || sequence > producer.Last)
        {
            return SequenceCheck.New;
        }

        foreach (var entry in producer.Recent)
        {
            if (entry.Sequence == sequence)
            {
                offset = entry.Offset;
                term = entry.Term;
                return SequenceCheck.Duplicate;
            }
        }

        return SequenceCheck.OutOfWindow;
    }

    /// <summary>Remembers a record of a producer.</summary>
    public void Record(string producerId, long sequence, long offset, long term, long writtenAt)
    {
        if (!_producers.TryGetValue(producerId, out var producer))
        {
            producer = new Producer();
            _producers[producerId] = producer;
        }

        if (producer.Recent.Count == kept)
        {
            producer.Recent.Dequeue();
        }

        producer.Recent.Enqueue(new Entry(sequence, offset, term));
        producer.Last = Math.Max(producer.Last, sequence);
        producer.LastWriteAt = Math.Max(producer.LastWriteAt, writtenAt);
    }

    /// <summary>Forgets producers silent for longer than the expiry; scans at most once per tenth of it.</summary>
    public void Expire(long now)
    {
        if (now < _nextExpiryScan || _producers.Count == 0)
        {
            return;
        }

        _nextExpiryScan = now + Math.Max(1, expiryMs / 10);
        List<string>? expired = null;
        foreach (var (id, producer) in _producers)
        {
            if (now - producer.LastWriteAt > expiryMs)
            {
                (expired ??= []).Add(id);
            }
        }

        foreach (var id in expired ?? [])
        {
            _producers.Remove(id);
        }
    }

    /// <summary>Rebuilds the table from the last <paramref name="records"/> records of a log (a new leader).</summary>
    public void Rebuild(IPartitionLog log, int records, long now)
    {
        _producers.Clear();
        var from = Math.Max(log.StartOffset, log.NextOffset - records);
        var batch = new List<LogRecord>(256);
        while (from < log.NextOffset)
        {
            batch.Clear();
            if (log.Read(from, 256, long.MaxValue, batch) == 0)
            {
                break;
            }

            foreach (var record in batch)
            {
                if (record.Kind == RecordKind.Data && record.ProducerId is { } id && now - record.Timestamp <= expiryMs)
                {
                    Record(id, record.Sequence, record.Offset, record.Term, record.Timestamp);
                }
            }

            from = batch[^1].Offset + 1;
        }
    }

    private sealed class Producer
    {
        public Queue<Entry> Recent { get; } = new();

        public long Last { get; set; } = long.MinValue;

        public long LastWriteAt { get; set; } = long.MinValue;
    }

    private readonly record struct Entry(long Sequence, long Offset, long Term);
}

/// <summary>What a producer table knows of a sequence.</summary>
internal enum SequenceCheck
{
    /// <summary>Above every sequence seen from the producer (or the producer is unknown): write it.</summary>
    New,

    /// <summary>Seen, and its record is known.</summary>
    Duplicate,

    /// <summary>Not above the last sequence, and no longer remembered.</summary>
    OutOfWindow,
}
