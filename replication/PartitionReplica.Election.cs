using DataCluster.Replication.Messages;
using DataCluster.Storage;

namespace DataCluster.Replication;

/// <summary>The leader side of a term's start: prepare, promises across replica sets, sync, TermStart.</summary>
internal sealed partial class PartitionReplica
{
    /// <summary>Starts a term when the assignment names this member and it is not leading.</summary>
    private void TryLead()
    {
        if (_designated is not null && IsSelf(_designated) && _lead is null && _node.Now >= _retryAt)
        {
            StartPrepare(carryOver: false);
        }
    }

    /// <summary>
    /// Term rule: one more than every term seen (own promise, own log, refusals), within the epoch
    /// of the assignment acted on. The own promise is saved before any prepare leaves.
    /// </summary>
    /// <param name="carryOver">Keep the proposals and producers of the term this one replaces.</param>
    /// <param name="replicas">The new term's replica set: the assignment's (null), or with stand-ins in place.</param>
    private void StartPrepare(bool carryOver, string[]? replicas = null)
    {
        replicas ??= _replicas;
        var highest = Math.Max(Math.Max(_state.PromisedTerm, _log.LastTerm), _highestSeen);
        var next = TermNumbers.Next(highest, _epoch);
        var previous = _lead;
        if (next is not { } term)
        {
            // A leader of a newer assignment exists: wait for that assignment.
            if (previous is not null)
            {
                StepDown($"partition {Partition} has a term from an assignment newer than {_epoch}");
            }

            _retryAt = _node.Now + Options.ElectionBackoffMs;
            return;
        }

        _priorTerm = _state.PromisedTerm;
        _priorReplicas = _state.PromisedReplicas;
        AddEarlier(_priorReplicas, replicas);
        var own = OwnPromise(term);
        _state = _state with { PromisedTerm = term, PromisedTo = Self, PromisedReplicas = replicas };
        _matched = 0;
        _ackPending = false;
        SaveState();

        var proposals = carryOver && previous is not null ? previous.Proposals : new ProposalQueue();
        var producers = carryOver && previous is not null
            ? previous.Producers
            : new ProducerTable(Options.ProducerSequencesKept, Options.ProducerExpiryMs);
        var lead = new Leadership(term, replicas, proposals, producers) { Commit = _commit };
        _lead = lead;
        lead.Promises[Self] = own;
        Learn(lead, Self, own);
        SendPrepares(lead);
    }

    /// <summary>Prepares go to every member of every required replica set that has not promised, after the own promise is saved.</summary>
    private void SendPrepares(Leadership lead)
    {
        foreach (var set in lead.RequiredSets(_node.Breaks(UnsafeRules.SkipEarlierReplicaSets)))
        {
            foreach (var member in set)
            {
                if (IsSelf(member) || lead.Promises.ContainsKey(member))
                {
                    continue;
                }

                if (lead.PrepareSentAt.TryGetValue(member, out var at) && _node.Now - at < Options.PrepareRetryMs)
                {
                    continue;
                }

                lead.PrepareSentAt[member] = _node.Now;
                _node.SendAfterPersist(member, new Prepare(Partition, lead.Term, lead.Replicas));
            }
        }
    }

    private void OnPromise(string from, Promise promise)
    {
        if (_lead is not { } lead || promise.Term != lead.Term)
        {
            return;
        }

        if (lead.Phase == LeaderPhase.Leading)
        {
            if (lead.Followers.TryGetValue(from, out var follower) && !follower.Promised)
            {
                StartFollowing(follower, promise);
            }

            return;
        }

        lead.Promises[from] = promise;
        if (lead.Phase == LeaderPhase.Preparing)
        {
            Learn(lead, from, promise);
            SendPrepares(lead);
            TryCompletePrepare(lead);
        }
    }

    /// <summary>
    /// Reconfiguration rule: the prepare must also cover the replica set of the highest log term
    /// any promiser reports, of every earlier promise reported at or above that term, and of every
    /// earlier replica set a promiser (or this member) still remembers (the sets that may have committed records).
    /// </summary>
    private static void Learn(Leadership lead, string from, Promise promise)
    {
        if (promise.PriorTerm > 0 && promise.PriorTerm < lead.Term && promise.PriorReplicas.Count > 0)
        {
            lead.PriorPromises[from] = (promise.PriorTerm, [.. promise.PriorReplicas]);
        }

        foreach (var set in promise.EarlierReplicaSets)
        {
            lead.AddEarlier(set);
        }

        lead.PromisedConsumed = Math.Max(lead.PromisedConsumed, promise.ConsumedOffset);

        if (promise.LastTerm > lead.HighestLogTerm.Term && promise.LastTermReplicas.Count > 0)
        {
            lead.HighestLogTerm = (promise.LastTerm, [.. promise.LastTermReplicas]);
        }
    }

    /// <summary>
    /// Sync rule: once a majority of every required set promised, adopt the most up-to-date log
    /// among all promisers (highest last term, then longest): truncate the own divergent suffix
    /// and fetch what is missing.
    /// </summary>
    private void TryCompletePrepare(Leadership lead)
    {
        if (!lead.SelfPromiseDurable)
        {
            return;
        }

        foreach (var set in lead.RequiredSets(_node.Breaks(UnsafeRules.SkipEarlierReplicaSets)))
        {
            if (!lead.HasMajorityOf(set, Self))
            {
                return;
            }
        }

        if (lead.AllPromisersFresh() && !lead.AllPromised(lead.Replicas) && !_node.Breaks(UnsafeRules.SkipEarlierReplicaSets))
        {
            // Nobody that answered knows anything of the partition: it is new, or its history is
            // with the members that have not answered. Only all of the set can tell which.
            return;
        }

        var bestMember = Self;
        var best = lead.Promises[Self];
        foreach (var (member, promise) in lead.Promises)
        {
            if (promise.LastTerm > best.LastTerm || (promise.LastTerm == best.LastTerm && promise.NextOffset > best.NextOffset))
            {
                best = promise;
                bestMember = member;
            }
        }

        if (IsSelf(bestMember))
        {
            Activate(lead);
            return;
        }

        var divergence = TermHistory.Divergence(_log.Terms, _log.NextOffset, best.Terms, best.NextOffset);
        if (divergence < _log.StartOffset || divergence < best.StartOffset)
        {
            lead.ResetOnFetch = true;
            divergence = best.StartOffset;
        }
        else if (divergence < _log.NextOffset)
        {
            if (divergence < _commit)
            {
                throw new InvalidOperationException(
                    $"partition {Partition}: the most up-to-date promiser {bestMember} diverges at {divergence}, below the commit point {_commit}; this is a protocol bug");
            }

            _log.Truncate(divergence);
            MarkFlush();
        }

        lead.Phase = LeaderPhase.Fetching;
        lead.Source = bestMember;
        lead.FetchTarget = best.NextOffset;
        SendFetch(lead, divergence);
    }

    private void SendFetch(Leadership lead, long from)
    {
        lead.FetchSentAt = _node.Now;
        lead.FetchFrom = from;
        _node.SendNow(lead.Source!, new Fetch(Partition, lead.Term, from));
    }

    private void OnFetchReply(string from, FetchReply reply)
    {
        if (_lead is not { Phase: LeaderPhase.Fetching } lead || reply.Term != lead.Term || !string.Equals(from, lead.Source, StringComparison.Ordinal))
        {
            return;
        }

        if (lead.ResetOnFetch)
        {
            _log.Reset(reply.StartOffset, reply.TermBefore);
            lead.ResetOnFetch = false;
            MarkFlush();
        }
        else if (reply.FromOffset != _log.NextOffset)
        {
            return;
        }

        foreach (var record in reply.Records)
        {
            if (record.Offset == _log.NextOffset)
            {
                _log.Append(record);
                MarkFlush();
            }
        }

        if (_log.NextOffset >= lead.FetchTarget)
        {
            Activate(lead);
        }
        else if (reply.Records.Count == 0 || reply.NextOffset <= _log.NextOffset)
        {
            // The source lost records it had reported (a crash before its flush): choose again in a
            // new term; proposals carry over (or fail if this member may no longer try).
            StartPrepare(carryOver: true, lead.Replicas);
        }
        else
        {
            SendFetch(lead, _log.NextOffset);
        }
    }

    /// <summary>TermStart rule: the leader's first record in its term; nothing of an earlier term commits until a majority has it.</summary>
    private void Activate(Leadership lead)
    {
        lead.TermStartOffset = _log.NextOffset;
        _log.Append(new LogRecord(_log.NextOffset, lead.Term, RecordKind.TermStart, _node.Now, ReadOnlyMemory<byte>.Empty, null, ReplicaSetCodec.Encode(lead.Replicas)));
        MarkFlush();
        lead.Phase = LeaderPhase.Leading;
        foreach (var member in lead.Replicas)
        {
            if (IsSelf(member))
            {
                continue;
            }

            var follower = new FollowerProgress(member) { LastProgressAt = _node.Now };
            lead.Followers[member] = follower;
            if (lead.Promises.TryGetValue(member, out var promise))
            {
                StartFollowing(follower, promise);
            }
        }

        if (lead.Producers.Count == 0)
        {
            lead.Producers.Rebuild(_log, Options.ProducerScanRecords, _node.Now);
        }

        CollectToRelease(lead);
        lead.Promises.Clear();
    }

    /// <summary>Starts sending to a follower from where its log (as its promise described it) diverges from the leader's.</summary>
    private void StartFollowing(FollowerProgress follower, Promise promise)
    {
        follower.Promised = true;
        var divergence = TermHistory.Divergence(_log.Terms, _log.NextOffset, promise.Terms, promise.NextOffset);
        follower.NeedsReset = divergence < promise.StartOffset || divergence < _log.StartOffset;
        follower.Rewind(follower.NeedsReset ? _log.StartOffset : divergence);
    }

    private void OnRefusal(string from, Refusal refusal)
    {
        _highestSeen = Math.Max(_highestSeen, refusal.PromisedTerm);
        if (_lead is not { } lead || refusal.Term != lead.Term)
        {
            return;
        }

        if (refusal.Reason == RefusalReason.NotPrepared)
        {
            lead.PrepareSentAt.Remove(from);
            if (lead.Followers.TryGetValue(from, out var follower))
            {
                follower.Promised = false;
            }

            return;
        }

        if (refusal.PromisedTerm <= lead.Term)
        {
            return;
        }

        if (refusal.PromisedTo is { } to && IsSelf(to) && TermNumbers.EpochOf(refusal.PromisedTerm) == _epoch)
        {
            // A term of this member's own that it no longer remembers (its state was lost): go above it.
            StartPrepare(carryOver: true, lead.Replicas);
            return;
        }

        StepDown($"member {from} promised term {refusal.PromisedTerm} of partition {Partition} to {refusal.PromisedTo ?? "another leader"}");
        if (TermNumbers.EpochOf(refusal.PromisedTerm) < _epoch)
        {
            // This member led on from an older assignment that a newer one confirmed; the newer
            // term it just learned of is still older than that assignment, so it tries again at once.
            _retryAt = _node.Now;
            TryLead();
        }
    }

    /// <summary>
    /// The log turned out damaged: pending proposals fail and the member stops leading. The
    /// node then keeps only this replica's last status; nothing more is read from or written
    /// to the log, so what it holds stays as it is for whoever inspects or replaces it.
    /// </summary>
    public void Quarantine(string reason) => StepDown(reason);

    /// <summary>Deposed or moved: every pending proposal fails (not acknowledged) and the member stops leading.</summary>
    private void StepDown(string reason)
    {
        if (_lead is null)
        {
            return;
        }

        _lead.Proposals.FailAll(Partition, reason, _node.Outbox);
        _lead = null;
        _retryAt = _node.Now + Options.ElectionBackoffMs;
    }

    private void TickSyncing(Leadership lead)
    {
        if (lead.Phase == LeaderPhase.Preparing)
        {
            SendPrepares(lead);
        }
        else if (lead.Phase == LeaderPhase.Fetching && _node.Now - lead.FetchSentAt >= Options.PrepareRetryMs)
        {
            if (_node.Liveness.IsDown(lead.Source!, _node.Now))
            {
                // The source stopped answering (it crashed, or its member left): choose again, in
                // a new term, among the replicas that answer, instead of waiting for it to return.
                StartPrepare(carryOver: true, lead.Replicas);
            }
            else
            {
                SendFetch(lead, lead.ResetOnFetch ? lead.FetchFrom : _log.NextOffset);
            }
        }

        lead.Proposals.Complete(Partition, 0, 0, 0, _termAt, _node.Now, _node.Outbox);
    }
}
