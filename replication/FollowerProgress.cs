namespace DataCluster.Replication;

/// <summary>
/// A leader's view of one follower in its term: what the follower durably matches, what to send
/// next, and the append batches in flight (the pipeline window).
/// </summary>
/// <remarks>Not thread-safe; owned by one partition's leadership.</remarks>
internal sealed class FollowerProgress(string member)
{
    private readonly Queue<long> _inFlight = new();

    public string Member { get; } = member;

    /// <summary>True once the follower promised the leader's term; until then it gets prepares, not appends.</summary>
    public bool Promised { get; set; }

    /// <summary>The next offset to send.</summary>
    public long Next { get; set; }

    /// <summary>Every record below it is durable on the follower and matches the leader's log (only grows within a term, unless the follower's storage loses records: <see cref="Regress"/>).</summary>
    public long Matched { get; private set; }

    /// <summary>True when the follower must first drop its log and restart at the leader's log start.</summary>
    public bool NeedsReset { get; set; }

    /// <summary>True when the follower asked to confirm where its log matches (after its restart): the next pump sends an append even if it carries no records.</summary>
    public bool NeedsProbe { get; set; }

    /// <summary>The commit point the follower last said it had learned; -1 when it must be told again (it restarted).</summary>
    public long KnownCommit { get; set; } = -1;

    /// <summary>The consumed offset the follower last said it had learned.</summary>
    public long KnownConsumed { get; set; } = -1;

    /// <summary>When anything was last sent to the follower.</summary>
    public long LastSentAt { get; set; } = long.MinValue / 2;

    /// <summary>When the follower last showed progress (its matched offset grew, or the pipeline started filling). A heartbeat answer that matches nothing new is not progress.</summary>
    public long LastProgressAt { get; set; }

    public int InFlight => _inFlight.Count;

    public void Sent(long endOffset, long now)
    {
        if (_inFlight.Count == 0)
        {
            LastProgressAt = now;
        }

        _inFlight.Enqueue(endOffset);
        Next = endOffset;
        LastSentAt = now;
    }

    /// <summary>Records an acknowledgement; true when the matched offset grew.</summary>
    public bool Acknowledged(long matched, long now)
    {
        while (_inFlight.Count > 0 && _inFlight.Peek() <= matched)
        {
            _inFlight.Dequeue();
        }

        if (matched <= Matched)
        {
            return false;
        }

        Matched = matched;
        LastProgressAt = now;
        if (Next < matched)
        {
            Next = matched;
        }

        return true;
    }

    /// <summary>
    /// The follower's log ends at <paramref name="nextOffset"/>, below what it acknowledged: its
    /// storage lost records it had reported durable (a damaged record cut at recovery). Matching
    /// starts again from there, so those records are sent again instead of being skipped forever.
    /// </summary>
    public void Regress(long nextOffset)
    {
        if (nextOffset < Matched)
        {
            Matched = nextOffset;
        }
    }

    /// <summary>Forgets what is in flight and sends again from <paramref name="next"/> (a loss, a mismatch).</summary>
    public void Rewind(long next)
    {
        _inFlight.Clear();
        Next = Math.Max(next, Matched);
    }
}
