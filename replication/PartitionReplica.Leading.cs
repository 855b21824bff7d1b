using DataCluster.Replication.Messages;
using DataCluster.Storage;

namespace DataCluster.Replication;

/// <summary>The leader side once leading: pipelined appends, acknowledgements, the commit point, heartbeats.</summary>
internal sealed partial class PartitionReplica
{
    /// <summary>
    /// Pipelining: keep up to <see cref="ReplicationOptions.PipelineWindow"/> batches in flight per
    /// follower without waiting for acknowledgements; appends leave before the leader's own flush.
    /// </summary>
    private void Pump(Leadership lead)
    {
        foreach (var follower in lead.Followers.Values)
        {
            if (!follower.Promised)
            {
                continue;
            }

            if (follower.NeedsReset)
            {
                SendBatch(lead, follower, reset: true);
                follower.NeedsReset = false;
            }

            while (follower.InFlight < Options.PipelineWindow && follower.Next < _log.NextOffset)
            {
                if (!SendBatch(lead, follower, reset: false))
                {
                    break;
                }
            }

            if (follower.NeedsProbe)
            {
                // Nothing (more) to send, but the follower has not confirmed its tail in this
                // term: an empty append lets it match and learn the commit point.
                follower.NeedsProbe = false;
                if (follower.InFlight == 0)
                {
                    SendBatch(lead, follower, reset: false, probe: true);
                }
            }
        }
    }

    private bool SendBatch(Leadership lead, FollowerProgress follower, bool reset, bool probe = false)
    {
        var from = reset ? _log.StartOffset : follower.Next;
        if (from < _log.StartOffset)
        {
            follower.NeedsReset = true;
            return false;
        }

        var records = new List<LogRecord>(Math.Min(Options.MaxBatchRecords, (int)Math.Min(int.MaxValue, _log.NextOffset - from)));
        _log.Read(from, Options.MaxBatchRecords, Options.MaxBatchBytes, records);
        if (records.Count == 0 && !reset && !probe)
        {
            return false;
        }

        _node.SendNow(follower.Member, new Append(
            Partition,
            lead.Term,
            from - 1,
            _log.TermAt(from - 1),
            records,
            lead.Commit,
            reset ? from : -1,
            _consumed));
        follower.Sent(from + records.Count, _node.Now);
        return true;
    }

    private void OnAppendAck(string from, AppendAck ack)
    {
        if (_lead is not { Phase: LeaderPhase.Leading } lead || ack.Term != lead.Term || !lead.Followers.TryGetValue(from, out var follower))
        {
            return;
        }

        follower.Acknowledged(Math.Min(ack.MatchedOffset, _log.NextOffset), _node.Now);
        follower.KnownCommit = ack.CommitOffset;
        follower.KnownConsumed = ack.ConsumedOffset;
    }

    /// <summary>A member restarted: if it follows here, it no longer knows where its log matches or the commit point, so it is told again.</summary>
    public void PeerRestarted(string member)
    {
        if (_lead is { Phase: LeaderPhase.Leading } lead && lead.Followers.TryGetValue(member, out var follower))
        {
            follower.KnownCommit = -1;
        }
    }

    /// <summary>
    /// Quiescence: a follower that holds the leader's whole log and knows its commit point and
    /// consumed offset, with nothing in flight, needs no heartbeat; its liveness comes from its
    /// node's pings instead.
    /// </summary>
    private bool IsSettled(Leadership lead, FollowerProgress follower) =>
        follower.InFlight == 0
        && follower.Matched >= _log.NextOffset
        && follower.KnownCommit >= lead.Commit
        && follower.KnownConsumed >= _consumed
        && !follower.NeedsProbe
        && !follower.NeedsReset;

    /// <summary>Divergence rule: resend from where the follower's term history stops agreeing with the leader's, or reset it.</summary>
    private void OnAppendMismatch(string from, AppendMismatch mismatch)
    {
        if (_lead is not { Phase: LeaderPhase.Leading } lead || mismatch.Term != lead.Term || !lead.Followers.TryGetValue(from, out var follower))
        {
            return;
        }

        follower.Regress(mismatch.NextOffset);
        var divergence = TermHistory.Divergence(_log.Terms, _log.NextOffset, mismatch.Terms, mismatch.NextOffset);
        var next = Math.Max(divergence, follower.Matched);
        follower.NeedsReset = next < mismatch.StartOffset || next < _log.StartOffset;
        follower.Rewind(follower.NeedsReset ? _log.StartOffset : next);
        follower.NeedsProbe = true;
        follower.LastProgressAt = _node.Now;
    }

    /// <summary>
    /// Commit rule: the highest offset a majority of the term's replica set holds durably in this
    /// term, counting the leader only for what its log has flushed, and only once that covers the
    /// term's TermStart record. Then completes the proposals whose level is met.
    /// </summary>
    private void Settle(Leadership lead)
    {
        var count = lead.Replicas.Length;
        Span<long> matched = count <= 16 ? stackalloc long[count] : new long[count];
        for (var i = 0; i < count; i++)
        {
            var member = lead.Replicas[i];
            if (IsSelf(member))
            {
                matched[i] = _node.Breaks(UnsafeRules.CountUnflushedRecords) ? _log.NextOffset : _log.DurableOffset;
            }
            else
            {
                matched[i] = lead.Followers.TryGetValue(member, out var f) && f.Promised ? f.Matched : 0;
            }
        }

        matched.Sort();
        var candidate = matched[count - (count / 2 + 1)];
        if (candidate > lead.Commit && (candidate > lead.TermStartOffset || _node.Breaks(UnsafeRules.CommitEarlierTerms)))
        {
            var termStartWasPending = lead.Commit <= lead.TermStartOffset;
            lead.Commit = candidate;
            _commit = Math.Max(_commit, candidate);
            RetireEarlierSets(lead.TermStartOffset);
            if (termStartWasPending)
            {
                TellTermStartCommitted(lead);
            }

            // Resume delivery where the most advanced promiser says the app stopped: every record
            // below it is committed, so it names the same records in this log.
            var adopted = Math.Min(lead.PromisedConsumed, lead.Commit);
            if (adopted > _consumed)
            {
                SetConsumed(adopted);
            }
        }

        var durable = _node.Breaks(UnsafeRules.CountUnflushedRecords) ? _log.NextOffset : _log.DurableOffset;
        lead.Proposals.Complete(Partition, durable, lead.Commit, matched[0], _termAt, _node.Now, _node.Outbox);
    }

    /// <summary>
    /// Tells every follower at once that the term's TermStart committed, ahead of the writes
    /// this commit completes: until a follower knows it, it keeps the replica sets this term
    /// replaced, and a later leader must hear from a majority of each. Left to the next append
    /// or heartbeat, a leader that died right after acknowledging its first writes (a ring that
    /// formed in two steps named one member alone a moment before) left its partition waiting
    /// for that member to come back.
    /// </summary>
    private void TellTermStartCommitted(Leadership lead)
    {
        foreach (var follower in lead.Followers.Values)
        {
            if (follower.Promised)
            {
                SendHeartbeat(lead, follower);
            }
        }
    }

    /// <summary>Tells a follower the commit point and the consumed offset now.</summary>
    private void SendHeartbeat(Leadership lead, FollowerProgress follower)
    {
        follower.LastSentAt = _node.Now;
        _node.SendNow(follower.Member, new Heartbeat(Partition, lead.Term, lead.Commit, _consumed));
    }

    private void TickLeading(Leadership lead)
    {
        var now = _node.Now;
        foreach (var follower in lead.Followers.Values)
        {
            if (!follower.Promised)
            {
                if (!lead.PrepareSentAt.TryGetValue(follower.Member, out var at) || now - at >= Options.PrepareRetryMs)
                {
                    lead.PrepareSentAt[follower.Member] = now;
                    _node.SendNow(follower.Member, new Prepare(Partition, lead.Term, lead.Replicas));
                }

                continue;
            }

            if (follower.InFlight > 0 && now - follower.LastProgressAt >= Options.RetransmitAfterMs)
            {
                // Go-back-N: a batch or its acknowledgement was lost.
                follower.Rewind(follower.Matched);
                follower.LastProgressAt = now;
            }

            if (now - follower.LastSentAt >= Options.HeartbeatIntervalMs && !IsSettled(lead, follower))
            {
                SendHeartbeat(lead, follower);
            }
        }

        lead.Producers.Expire(now);
        Settle(lead);
        SendReleases(lead);
        ReviewReplicaSet(lead);
    }
}
