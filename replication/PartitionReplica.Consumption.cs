namespace DataCluster.Replication;

/// <summary>
/// The app's consumed offset: kept by the leader, carried to followers on appends and heartbeats
/// like the commit point, saved with the replica state. It never exceeds the commit point and
/// never goes back on a replica, so a new leader resumes delivery from its own copy of it.
/// </summary>
internal sealed partial class PartitionReplica
{
    /// <summary>Where delivery stands while this member leads in <see cref="LeaderPhase.Leading"/>; null otherwise.</summary>
    public DeliveryPosition? DeliveryPosition() =>
        _lead is { Phase: LeaderPhase.Leading } lead ? new DeliveryPosition(lead.Term, lead.Commit, _consumed) : null;

    /// <summary>
    /// Consumption rule: only the leader, in the term asked for (0 for any), moves the consumed
    /// offset, only forward and never above its commit point.
    /// </summary>
    public ConsumeResult Consume(long offset, long term)
    {
        if (_lead is not { Phase: LeaderPhase.Leading } lead || (term != 0 && term != lead.Term))
        {
            var leader = _designated is not null && !IsSelf(_designated) ? _designated : _state.PromisedTo is { } promised && !IsSelf(promised) ? promised : null;
            return new ConsumeResult(ConsumeStatus.NotLeader, _consumed, _commit, leader);
        }

        if (offset > lead.Commit)
        {
            return new ConsumeResult(ConsumeStatus.BeyondCommit, _consumed, lead.Commit, null);
        }

        if (offset <= _consumed)
        {
            return new ConsumeResult(ConsumeStatus.Unchanged, _consumed, lead.Commit, null);
        }

        SetConsumed(offset);
        return new ConsumeResult(ConsumeStatus.Advanced, _consumed, lead.Commit, null);
    }

    /// <summary>A follower takes the leader's consumed offset, bounded by what it knows committed.</summary>
    private void LearnConsumed(long leaderConsumed)
    {
        var consumed = Math.Min(leaderConsumed, _commit);
        if (consumed > _consumed)
        {
            SetConsumed(consumed);
        }
    }

    /// <summary>Moves the offset; the save waits for another state save or <see cref="ReplicationOptions.ConsumedSaveIntervalMs"/>, so deliveries cost no fsync of their own.</summary>
    private void SetConsumed(long consumed)
    {
        _consumed = consumed;
        if (!_consumedUnsaved)
        {
            _consumedUnsaved = true;
            _consumedChangedAt = _node.Now;
        }
    }
}
