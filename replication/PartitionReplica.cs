using DataCluster.Replication.Messages;
using DataCluster.Storage;

namespace DataCluster.Replication;

/// <summary>
/// One member's replica of one partition: its log, its durable promise, its view of the
/// assignment, and while it leads, its <see cref="Leadership"/>. This file holds the state and the
/// assignment; the replica side, the election, leading and proposals are in the partial files.
/// </summary>
/// <remarks>Not thread-safe; owned by one <see cref="ReplicaNode"/>, called from its single caller.</remarks>
internal sealed partial class PartitionReplica
{
    private readonly NodeContext _node;
    private readonly IPartitionLog _log;
    private readonly Func<long, long> _termAt;
    private ReplicaState _state;
    private string[] _replicas = [];
    private readonly List<string[]> _earlier = [];
    private string? _designated;
    private long _epoch;

    // Follower side: one past the last record known to match the promised leader's log in its term.
    private long _matched;
    private bool _ackPending;
    private string? _ackTo;
    private long _commit;

    // Every data record below it was consumed by the app (delivery); saved lazily, see ConsumedSaveIntervalMs.
    private long _consumed;
    private bool _consumedUnsaved;
    private long _consumedChangedAt;

    // The promise this replica held before its current one, reported to the leader it promised.
    private long _priorTerm;
    private IReadOnlyList<string> _priorReplicas = [];

    // The highest term heard of in refusals; a would-be leader picks a term above it.
    private long _highestSeen;
    private long _retryAt;
    private Leadership? _lead;

    public PartitionReplica(NodeContext node, IPartitionLog log, ReplicaState state)
    {
        _node = node;
        _log = log;
        _termAt = log.TermAt;
        _state = state;
        _commit = Math.Min(state.CommitOffset, log.NextOffset);
        // Never above what this log is known to have committed: a record lost with an unflushed
        // tail is delivered again rather than skipped.
        _consumed = Math.Clamp(state.ConsumedOffset, 0, _commit);
        _priorTerm = state.PromisedTerm;
        _priorReplicas = state.PromisedReplicas;
        foreach (var set in state.EarlierReplicaSets ?? [])
        {
            _earlier.Add([.. set]);
        }
    }

    public int Partition => _log.Partition;

    private string Self => _node.Self;

    private ReplicationOptions Options => _node.Options;

    /// <summary>Earlier replica sets kept per partition: four unsettled changes in a row is beyond what the ring does.</summary>
    private const int MaxEarlierSets = 4;

    public ReplicaRole Role => _lead switch
    {
        { Phase: LeaderPhase.Leading } => ReplicaRole.Leading,
        not null => ReplicaRole.Syncing,
        _ when _state.PromisedTo is not null && !IsSelf(_state.PromisedTo) && Array.IndexOf(_replicas, Self) >= 0 => ReplicaRole.Following,
        _ when HoldsSubstituteCopy => ReplicaRole.Substitute,
        _ => ReplicaRole.None,
    };

    /// <summary>Takes the replica set of an assignment seen before this replica existed, as the set the next one replaces.</summary>
    public void Remember(ReadOnlySpan<string> replicas)
    {
        if (_replicas.Length == 0 && replicas.Length > 0)
        {
            _replicas = replicas.ToArray();
        }
    }

    /// <summary>Takes the partition's entry of a newer assignment.</summary>
    public void Assign(long epoch, ReadOnlySpan<string> replicas, string? leader)
    {
        // After a restart the set this member last took is the saved one: the assignment that
        // replaced it may have arrived just before the crash, and only the newest is seen again.
        var replaced = _replicas.Length > 0 ? _replicas : _state.AssignedReplicas is { } saved ? saved.ToArray() : [];
        _replicas = replicas.ToArray();
        if (replaced.Length > 0 && !SameMembers(replaced, _replicas) && !PromisedTermCommittedWith(_replicas))
        {
            // Remembered (durably) until a term commits its TermStart: until then a leader must hear from a majority of it.
            AddEarlier(replaced, _replicas);
        }

        if (_replicas.Length > 0 && (_state.AssignedReplicas is not { } kept || !SameMembers(kept.ToArray(), _replicas)))
        {
            _state = _state with { AssignedReplicas = _replicas };
            SaveState();
        }

        _epoch = epoch;
        _designated = leader;
        if (leader is not null && IsSelf(leader))
        {
            if (_lead is null)
            {
                _retryAt = 0;
                TryLead();
            }
            else if (!SameMembers(replaced, _replicas) && !SameMembers(_lead.Replicas, _replicas))
            {
                // Same leader, new replica set: a new term whose prepare covers the old set too.
                // Proposals in flight stay: their records are in this log and commit through the new term.
                // (Stand-ins go: the review puts them back in place if their replicas are still down.)
                StartPrepare(carryOver: true);
            }
        }
        else if (_lead is not null)
        {
            StepDown($"assignment {epoch} moved the leadership of partition {Partition} to {leader ?? "no member"}");
        }
    }

    /// <summary>Dispatches one message from a peer.</summary>
    public void Step(string from, PartitionMessage message)
    {
        switch (message)
        {
            case Append append:
                OnAppend(from, append);
                break;
            case AppendAck ack:
                OnAppendAck(from, ack);
                break;
            case Heartbeat heartbeat:
                OnHeartbeat(from, heartbeat);
                break;
            case AppendMismatch mismatch:
                OnAppendMismatch(from, mismatch);
                break;
            case Prepare prepare:
                OnPrepare(from, prepare);
                break;
            case Promise promise:
                OnPromise(from, promise);
                break;
            case Refusal refusal:
                OnRefusal(from, refusal);
                break;
            case Fetch fetch:
                OnFetch(from, fetch);
                break;
            case FetchReply reply:
                OnFetchReply(from, reply);
                break;
            case Release release:
                OnRelease(from, release);
                break;
            case ReleaseAck releaseAck:
                OnReleaseAck(from, releaseAck);
                break;
        }
    }

    /// <summary>Runs the timers due (retries, heartbeats, retransmissions, timeouts, the consumed offset's save); true when some are still running (this replica is not quiet).</summary>
    public bool Tick()
    {
        if (_consumedUnsaved && _node.Now - _consumedChangedAt >= Options.ConsumedSaveIntervalMs)
        {
            SaveState();
        }

        if (_lead is null)
        {
            TryLead();
        }
        else if (_lead.Phase == LeaderPhase.Leading)
        {
            TickLeading(_lead);
        }
        else
        {
            TickSyncing(_lead);
        }

        return !IsQuiet();
    }

    /// <summary>
    /// Quiet: no timer of this replica can fire. Its consumed offset is saved, and it leads with
    /// its proposals settled and every follower holding its whole log, commit point and consumed
    /// offset, or it does not lead and is not waiting to.
    /// </summary>
    private bool IsQuiet()
    {
        if (_consumedUnsaved)
        {
            return false;
        }

        if (_lead is null)
        {
            return _designated is null || !IsSelf(_designated);
        }

        if (_lead.Phase != LeaderPhase.Leading || _lead.Proposals.Count > 0 || _lead.ToRelease.Count > 0)
        {
            return false;
        }

        foreach (var follower in _lead.Followers.Values)
        {
            if (!follower.Promised || !IsSettled(_lead, follower))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Work due before a <see cref="Ready"/> is built: a leader sends appends and settles proposals; a follower acknowledges.</summary>
    public void BeforeReady()
    {
        if (_lead is { Phase: LeaderPhase.Leading } lead)
        {
            Settle(lead);
            Pump(lead);
        }

        if (_ackPending && _ackTo is not null)
        {
            var ack = new AppendAck(Partition, _state.PromisedTerm, _matched, _commit, _consumed);
            if (_node.Breaks(UnsafeRules.CountUnflushedRecords))
            {
                _node.SendNow(_ackTo, ack);
            }
            else
            {
                _node.SendAfterPersist(_ackTo, ack);
            }
        }

        _ackPending = false;
    }

    /// <summary>The log was flushed and <paramref name="saved"/> (when not null) saved.</summary>
    public void Persisted(ReplicaState? saved)
    {
        if (_lead is null)
        {
            return;
        }

        if (saved is not null && saved.PromisedTerm == _lead.Term && !_lead.SelfPromiseDurable)
        {
            _lead.SelfPromiseDurable = true;
            if (_lead.Phase == LeaderPhase.Preparing)
            {
                TryCompletePrepare(_lead);
            }
        }

        if (_lead is { Phase: LeaderPhase.Leading } lead)
        {
            Settle(lead);
        }
    }

    /// <summary>
    /// What a syncing leader waits for, in words, for the log line of a slow sync; null when this
    /// member does not lead a term that is syncing.
    /// </summary>
    public string? SyncWait()
    {
        if (_lead is not { } lead || lead.Phase == LeaderPhase.Leading)
        {
            return null;
        }

        if (lead.Phase == LeaderPhase.Fetching)
        {
            return $"fetching from {lead.Source} (log at {_log.NextOffset}, target {lead.FetchTarget}, last fetch sent {_node.Now - lead.FetchSentAt} ms ago)";
        }

        if (!lead.SelfPromiseDurable)
        {
            return "saving its own promise";
        }

        var missing = new List<string>();
        foreach (var set in lead.RequiredSets(_node.Breaks(UnsafeRules.SkipEarlierReplicaSets)))
        {
            if (!lead.HasMajorityOf(set, Self))
            {
                missing.Add($"[{string.Join(",", set)}]");
            }
        }

        var promised = string.Join(",", lead.Promises.Keys.Order(StringComparer.Ordinal));
        return missing.Count > 0
            ? $"preparing: promised by {promised}; no majority yet of {string.Join(" ", missing)}"
            : $"preparing: promised by {promised}; every promiser is new to the partition, so all of [{string.Join(",", lead.Replicas)}] must answer";
    }

    public PartitionStatus Status()
    {
        var followers = new List<FollowerStatus>();
        if (_lead is { Phase: LeaderPhase.Leading } lead)
        {
            foreach (var f in lead.Followers.Values)
            {
                followers.Add(new FollowerStatus(f.Member, f.Matched, Math.Max(0, _log.NextOffset - f.Matched), f.Promised, _node.Liveness.IsDown(f.Member, _node.Now), StandsInFor(lead, f.Member)));
            }
        }

        return new PartitionStatus(
            Partition,
            Role,
            _state.PromisedTerm,
            _state.PromisedTo,
            _log.StartOffset,
            _log.NextOffset,
            _log.DurableOffset,
            _lead is { Phase: LeaderPhase.Leading } leading ? leading.Commit : _commit,
            followers,
            _consumed,
            _log.LastTerm);
    }

    private void SaveState()
    {
        _state = _state with { CommitOffset = _commit, ConsumedOffset = _consumed, EarlierReplicaSets = _earlier.Count == 0 ? null : [.. _earlier] };
        _consumedUnsaved = false;
        _node.Outbox.Save(Partition, _state);
    }

    /// <summary>
    /// Remembers a replica set that a newer one replaced (at most <see cref="MaxEarlierSets"/>,
    /// oldest dropped), and saves it. Nothing is added when the set has the members of
    /// <paramref name="keptAs"/>, the set that replaces it (a new promise's, which the promise
    /// itself keeps durably, or a new assignment's).
    /// </summary>
    /// <remarks>
    /// The assignment itself is not durable: a member that restarts sees only the newest one. A
    /// promised set that happens to be the assignment's must therefore still be remembered when a
    /// promise of another set replaces it, or the member forgets it has ever seen it.
    /// </remarks>
    private void AddEarlier(IReadOnlyList<string> set, ReadOnlySpan<string> keptAs)
    {
        var members = set.ToArray();
        if (members.Length == 0 || SameMembers(members, keptAs))
        {
            return;
        }

        foreach (var known in _earlier)
        {
            if (SameMembers(known, members))
            {
                return;
            }
        }

        _earlier.Add(members);
        if (_earlier.Count > MaxEarlierSets)
        {
            _earlier.RemoveAt(0);
        }

        SaveState();
    }

    /// <summary>
    /// Forgets earlier replica sets once a term of this member's promise has committed a record of
    /// its own (its TermStart): that term's leader covered them, and every later leader finds the
    /// term through a majority of its set, which this member keeps as its promise and, once it
    /// promises a term of another set, as an earlier set.
    /// </summary>
    private void RetireEarlierSets(long termStartOffset)
    {
        if (_earlier.Count > 0 && termStartOffset >= 0 && _commit > termStartOffset)
        {
            _earlier.Clear();
            SaveState();
        }
    }

    private void MarkFlush() => _node.Outbox.Flush(_log);

    private bool IsSelf(string member) => string.Equals(member, Self, StringComparison.Ordinal);

    private static bool SameMembers(ReadOnlySpan<string> a, ReadOnlySpan<string> b)
    {
        if (a.Length != b.Length || a.Length == 0)
        {
            return false;
        }

        foreach (var member in a)
        {
            if (b.IndexOf(member) < 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when this member promised a term of <paramref name="set"/> and knows that term's
    /// TermStart committed: that term's leader covered every set before it, so an assignment
    /// naming the set that arrives only now adds no earlier set to wait for (it would otherwise
    /// stay remembered until the next commit, which a quiet partition may never see).
    /// </summary>
    private bool PromisedTermCommittedWith(string[] set)
    {
        if (!SameMembers(_state.PromisedReplicas.ToArray(), set))
        {
            return false;
        }

        foreach (var start in _log.Terms)
        {
            if (start.Term == _state.PromisedTerm)
            {
                return start.StartOffset < _commit;
            }
        }

        return false;
    }

    /// <summary>The replica set of the log's last term, from its TermStart record; empty when the log no longer holds it.</summary>
    private string[] LastTermReplicas()
    {
        var terms = _log.Terms;
        if (terms.Count == 0)
        {
            return [];
        }

        var start = terms[^1].StartOffset;
        if (start < _log.StartOffset || start >= _log.NextOffset)
        {
            return [];
        }

        var records = new List<LogRecord>(1);
        if (_log.Read(start, 1, long.MaxValue, records) == 0 || records[0].Kind != RecordKind.TermStart)
        {
            return [];
        }

        return ReplicaSetCodec.TryDecode(records[0].Body.Span) ?? [];
    }

    private Promise OwnPromise(long term) => new(
        Partition,
        term,
        _priorTerm,
        _priorReplicas,
        _log.LastTerm,
        LastTermReplicas(),
        _log.StartOffset,
        _log.NextOffset,
        _log.Terms,
        _earlier.Count == 0 ? [] : [.. _earlier],
        _consumed);
}
