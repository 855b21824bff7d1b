using DataCluster.Storage;

namespace DataCluster.Replication;

/// <summary>Client writes on the leader: refusals, idempotent retries, the append itself.</summary>
internal sealed partial class PartitionReplica
{
    public ProposeResult Propose(
        ReadOnlyMemory<byte> key,
        string? contentType,
        ReadOnlyMemory<byte> body,
        CommitLevel level,
        string? producerId,
        long sequence)
    {
        if (_lead is null)
        {
            var leader = _designated is not null && !IsSelf(_designated) ? _designated : _state.PromisedTo;
            return ProposeResult.Refused(ProposeStatus.NotLeader, leader, Options.RetryAfterMs,
                leader is null
                    ? $"partition {Partition} has no leader right now; retry later"
                    : $"this member does not lead partition {Partition}; send the write to {leader}");
        }

        var lead = _lead;
        if (lead.Phase != LeaderPhase.Leading)
        {
            return ProposeResult.Refused(ProposeStatus.Syncing, Self, Options.RetryAfterMs,
                $"partition {Partition} is syncing its log before it accepts writes; retry shortly");
        }

        if (!LevelReachable(lead, level, out var why))
        {
            return ProposeResult.Refused(ProposeStatus.CommitLevelCannotBeMet, Self, Options.RetryAfterMs, why);
        }

        var deadline = _node.Now + Options.ProposalTimeoutMs;
        if (producerId is not null)
        {
            switch (lead.Producers.Check(producerId, sequence, out var offset, out var term))
            {
                case SequenceCheck.Duplicate:
                    var retry = _node.NextTicket();
                    lead.Proposals.Add(retry, offset, term, level, deadline);
                    return new ProposeResult(ProposeStatus.Accepted, retry, offset, true, Self, 0, null);
                case SequenceCheck.OutOfWindow:
                    return ProposeResult.Refused(ProposeStatus.SequenceOutOfWindow, Self, 0,
                        $"sequence {sequence} of producer '{producerId}' is older than the {Options.ProducerSequencesKept} sequences the leader remembers; whether it was written is unknown, so it is not written again");
            }
        }

        var at = _log.NextOffset;
        _log.Append(new LogRecord(at, lead.Term, RecordKind.Data, _node.Now, key, contentType, body, producerId, producerId is null ? -1 : sequence));
        MarkFlush();
        if (producerId is not null)
        {
            lead.Producers.Record(producerId, sequence, at, lead.Term, _node.Now);
        }

        var ticket = _node.NextTicket();
        lead.Proposals.Add(ticket, at, lead.Term, level, deadline);
        return new ProposeResult(ProposeStatus.Accepted, ticket, at, false, Self, 0, null);
    }

    /// <summary>ALL needs every replica, QUORUM a majority: refuse at once when replicas it needs are known down.</summary>
    private bool LevelReachable(Leadership lead, CommitLevel level, out string why)
    {
        why = "";
        if (level == CommitLevel.One)
        {
            return true;
        }

        var down = 0;
        string? firstDown = null;
        foreach (var member in lead.Replicas)
        {
            if (!IsSelf(member) && _node.Liveness.IsDown(member, _node.Now))
            {
                down++;
                firstDown ??= member;
            }
        }

        if (level == CommitLevel.All && down > 0)
        {
            why = $"commit level cannot be met: replica {firstDown} of partition {Partition} is down ({down} of {lead.Replicas.Length}); retry later or write at QUORUM";
            return false;
        }

        if (level == CommitLevel.Quorum && lead.Replicas.Length - down <= lead.Replicas.Length / 2)
        {
            why = $"commit level cannot be met: {down} of {lead.Replicas.Length} replicas of partition {Partition} are down, a majority is needed; retry later";
            return false;
        }

        return true;
    }
}
