namespace DataCluster.Replication;

/// <summary>
/// Proposals of one partition leader waiting for their commit level, in the order they arrived.
/// Completes them as the leader's durable offset, commit point and slowest replica advance, and
/// times them out.
/// </summary>
/// <remarks>Not thread-safe; owned by one partition. Scans are allocation-free.</remarks>
internal sealed class ProposalQueue
{
    private readonly List<Pending> _pending = [];

    public int Count => _pending.Count;

    public void Add(long ticket, long offset, long term, CommitLevel level, long deadline) =>
        _pending.Add(new Pending(ticket, offset, term, level, deadline));

    /// <summary>
    /// Completes every proposal whose level is met: ONE below <paramref name="durable"/>, QUORUM
    /// below <paramref name="committed"/>, ALL below <paramref name="everywhere"/>, in each case
    /// only while the log still holds the record's term at its offset. Then times out the rest
    /// whose deadline passed.
    /// </summary>
    public void Complete(int partition, long durable, long committed, long everywhere, Func<long, long> termAt, long now, Outbox outbox)
    {
        var kept = 0;
        for (var i = 0; i < _pending.Count; i++)
        {
            var p = _pending[i];
            var threshold = p.Level switch
            {
                CommitLevel.One => durable,
                CommitLevel.Quorum => committed,
                _ => everywhere,
            };

            if (p.Offset < threshold && termAt(p.Offset) == p.Term)
            {
                outbox.Complete(new Completion(p.Ticket, partition, p.Offset, p.Term, p.Level, ProposalOutcome.Acknowledged, null));
            }
            else if (now >= p.Deadline)
            {
                outbox.Complete(new Completion(p.Ticket, partition, p.Offset, p.Term, p.Level, ProposalOutcome.TimedOut,
                    "the commit level was not met in time; the record may still be committed later"));
            }
            else
            {
                _pending[kept++] = p;
            }
        }

        _pending.RemoveRange(kept, _pending.Count - kept);
    }

    /// <summary>Ends every proposal as not acknowledged.</summary>
    public void FailAll(int partition, string reason, Outbox outbox)
    {
        foreach (var p in _pending)
        {
            outbox.Complete(new Completion(p.Ticket, partition, p.Offset, p.Term, p.Level, ProposalOutcome.NotAcknowledged, reason));
        }

        _pending.Clear();
    }

    private readonly record struct Pending(long Ticket, long Offset, long Term, CommitLevel Level, long Deadline);
}
