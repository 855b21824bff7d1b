using DataCluster.Replication.Messages;

namespace DataCluster.Replication;

/// <summary>The replica side: promises, appends, heartbeats and fetches from a leader.</summary>
internal sealed partial class PartitionReplica
{
    /// <summary>
    /// Promise rule: promise a term only above the one promised (or the same term again to the
    /// same leader), never below the log's last term; save the promise before the reply leaves.
    /// </summary>
    private void OnPrepare(string from, Prepare prepare)
    {
        var promised = _state.PromisedTerm;
        if (prepare.Term < promised
            || (prepare.Term == promised && !string.Equals(from, _state.PromisedTo, StringComparison.Ordinal))
            || prepare.Term < _log.LastTerm)
        {
            Refuse(from, prepare, RefusalReason.StaleTerm);
            return;
        }

        if (prepare.Term > promised)
        {
            if (_lead is not null)
            {
                StepDown($"member {from} is preparing a higher term {prepare.Term} for partition {Partition}");
            }

            _priorTerm = promised;
            _priorReplicas = _state.PromisedReplicas;
            _state = _state with { PromisedTerm = prepare.Term, PromisedTo = from, PromisedReplicas = prepare.Replicas };
            AddEarlier(_priorReplicas, [.. prepare.Replicas]);

            _matched = 0;
            _ackPending = false;
            SaveState();
        }

        if (Array.IndexOf(_replicas, Self) < 0 && prepare.Replicas.Contains(Self))
        {
            _stoodIn = true;
        }

        _node.SendAfterPersist(from, OwnPromise(prepare.Term));
    }

    /// <summary>
    /// Append rule: only from the leader promised, in the term promised; append only after the
    /// record before the batch matches; on a conflict truncate from the first conflicting record
    /// (never below the commit point); acknowledge after the flush.
    /// </summary>
    private void OnAppend(string from, Append append)
    {
        if (!AcceptsLeader(from, append))
        {
            return;
        }

        if (append.ResetStart >= 0
            && (_log.NextOffset < append.ResetStart || _log.TermAt(append.ResetStart - 1) != append.PrevTerm || _log.StartOffset > append.ResetStart))
        {
            _log.Reset(append.ResetStart, append.PrevTerm);
            MarkFlush();
        }

        var prev = append.PrevOffset;
        if (prev >= _log.NextOffset || prev < _log.StartOffset - 1 || _log.TermAt(prev) != append.PrevTerm)
        {
            _node.SendAfterPersist(from, new AppendMismatch(Partition, append.Term, _log.StartOffset, _log.NextOffset, _log.Terms));
            return;
        }

        var changed = false;
        foreach (var record in append.Records)
        {
            if (record.Offset < _log.NextOffset)
            {
                if (_log.TermAt(record.Offset) == record.Term)
                {
                    continue;
                }

                if (record.Offset < _commit)
                {
                    throw new InvalidOperationException(
                        $"partition {Partition}: leader {from} of term {append.Term} sent a record at {record.Offset} that conflicts with a committed one (commit {_commit}); this is a protocol bug");
                }

                _log.Truncate(record.Offset);
            }

            _log.Append(record);
            changed = true;
        }

        if (changed)
        {
            MarkFlush();
        }

        _matched = Math.Max(_matched, prev + 1 + append.Records.Count);
        LearnCommit(append.CommitOffset);
        LearnConsumed(append.ConsumedOffset);
        _ackPending = true;
        _ackTo = from;
    }

    private void OnHeartbeat(string from, Heartbeat heartbeat)
    {
        if (!AcceptsLeader(from, heartbeat))
        {
            return;
        }

        if (_matched < _log.NextOffset)
        {
            // This replica has not confirmed its log against this leader's in the term (it
            // restarted, or its storage cut a damaged tail): say where its log stands, so the
            // leader resends from where they agree instead of assuming what it last acknowledged.
            _node.SendAfterPersist(from, new AppendMismatch(Partition, heartbeat.Term, _log.StartOffset, _log.NextOffset, _log.Terms));
            return;
        }

        LearnCommit(heartbeat.CommitOffset);
        LearnConsumed(heartbeat.ConsumedOffset);
        _ackPending = true;
        _ackTo = from;
    }

    /// <summary>Serves a syncing leader that this replica promised.</summary>
    private void OnFetch(string from, Fetch fetch)
    {
        if (!AcceptsLeader(from, fetch))
        {
            return;
        }

        var records = new List<Storage.LogRecord>();
        // A syncing leader waits on this reply: send a whole window's worth at once.
        _log.Read(fetch.FromOffset, Options.MaxBatchRecords * Options.PipelineWindow, Options.MaxBatchBytes * Options.PipelineWindow, records);
        _node.SendNow(from, new FetchReply(
            Partition,
            fetch.Term,
            fetch.FromOffset,
            _log.StartOffset,
            _log.TermAt(_log.StartOffset - 1),
            records,
            _log.NextOffset));
    }

    /// <summary>True when <paramref name="from"/> is the leader this replica promised for the message's term; refuses otherwise.</summary>
    private bool AcceptsLeader(string from, PartitionMessage message)
    {
        var promised = _state.PromisedTerm;
        if (message.Term < promised || (message.Term == promised && !string.Equals(from, _state.PromisedTo, StringComparison.Ordinal)))
        {
            Refuse(from, message, RefusalReason.StaleTerm);
            return false;
        }

        if (message.Term > promised)
        {
            Refuse(from, message, RefusalReason.NotPrepared);
            return false;
        }

        // A leader never gets its own term's messages from another member.
        return _lead is null;
    }

    private void LearnCommit(long leaderCommit)
    {
        var commit = Math.Min(leaderCommit, _matched);
        if (commit > _commit)
        {
            _commit = commit;
            if (_earlier.Count > 0)
            {
                foreach (var start in _log.Terms)
                {
                    if (start.Term == _state.PromisedTerm)
                    {
                        RetireEarlierSets(start.StartOffset);
                    }
                }
            }
        }
    }

    private void Refuse(string to, PartitionMessage request, RefusalReason reason) =>
        _node.SendNow(to, new Refusal(Partition, request.Term, reason, _state.PromisedTerm, _state.PromisedTo));
}
