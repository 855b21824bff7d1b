using DataCluster.Replication.Messages;

namespace DataCluster.Replication;

/// <summary>
/// Substitutes ("get it done" mode) and releases. A leader whose assigned follower is down puts a
/// member outside the partition's replica set in its place: a new term whose replica set names the
/// substitute, prepared like any other change of replica set, so the substitute's copy counts
/// toward the commit level and toward every later leader's sync. Once the follower answers again
/// the leader hands its place back the same way. Members of replaced sets that are no longer in
/// the leader's set keep their copies until every member of that set holds the log up to the
/// term's TermStart; then the leader releases them and they drop their copies.
/// </summary>
internal sealed partial class PartitionReplica
{
    // Set while this member holds a copy as a stand-in; cleared when a leader releases it.
    private bool _stoodIn;

    /// <summary>True when this member holds a copy of the partition its assignment does not name it a replica of, as a stand-in or until released.</summary>
    private bool HoldsSubstituteCopy =>
        _lead is null
        && Array.IndexOf(_replicas, Self) < 0
        && _log.NextOffset > _log.StartOffset
        && (_stoodIn || _state.PromisedReplicas.Contains(Self));

    /// <summary>
    /// Substitution rule: only once the term's TermStart is committed, and only when the members
    /// that answer hold a majority of the current set, of the next one and of every earlier set this
    /// member remembers (the next term's prepare needs them; without them the change would stall
    /// the partition instead of keeping it writable). A slot whose assigned replica is down gets a
    /// stand-in; a stand-in that is down is replaced; an assigned replica that has answered again for a down-after interval gets
    /// its slot back.
    /// </summary>
    private void ReviewReplicaSet(Leadership lead)
    {
        if (lead.TermStartOffset < 0 || lead.Commit <= lead.TermStartOffset || _replicas.Length != lead.Replicas.Length)
        {
            return;
        }

        var chooser = _node.SubstituteChooser;
        var now = _node.Now;

        // A set of the same members in another order has no stand-ins: compare with the assignment's order.
        var slots = SameMembers(lead.Replicas, _replicas) ? _replicas : lead.Replicas;
        string[]? next = null;
        var placed = 0;
        for (var i = 0; i < _replicas.Length; i++)
        {
            var assigned = _replicas[i];
            var current = slots[i];
            if (IsSelf(assigned))
            {
                continue;
            }

            var want = current;
            if (chooser is null || (string.Equals(current, assigned, StringComparison.Ordinal) ? !_node.Liveness.IsDown(assigned, now) : _node.Liveness.IsSteadilyUp(assigned, now)))
            {
                // Up (or back for a down-after interval, so a member still starting or a flapping
                // link does not swap the set to and fro), or substitutes turned off: the assigned
                // replica has its place.
                want = assigned;
            }
            else if (string.Equals(current, assigned, StringComparison.Ordinal) || _node.Liveness.IsDown(current, now))
            {
                var set = next ?? slots;
                var replicas = _replicas;
                want = chooser(
                    Partition,
                    set,
                    assigned,
                    member => !IsSelf(member)
                        && Array.IndexOf(set, member) < 0
                        && Array.IndexOf(replicas, member) < 0
                        && !_node.Liveness.IsDown(member, now)) ?? current;
                if (!string.Equals(want, current, StringComparison.Ordinal))
                {
                    placed++;
                }
            }

            if (!string.Equals(want, current, StringComparison.Ordinal))
            {
                next ??= [.. slots];
                next[i] = want;
            }
        }

        if (next is null || !LiveMajority(lead.Replicas) || !LiveMajority(next))
        {
            return;
        }

        foreach (var earlier in _earlier)
        {
            if (!LiveMajority(earlier))
            {
                return;
            }
        }

        _node.SubstitutionsStarted += placed;
        StartPrepare(carryOver: true, next);
    }

    private bool LiveMajority(string[] set)
    {
        var live = 0;
        foreach (var member in set)
        {
            if (IsSelf(member) || !_node.Liveness.IsDown(member, _node.Now))
            {
                live++;
            }
        }

        return live > set.Length / 2;
    }

    /// <summary>The members of the sets this term covered that it no longer needs: neither in its set nor assigned.</summary>
    private void CollectToRelease(Leadership lead)
    {
        foreach (var set in lead.RequiredSets(ownOnly: false))
        {
            foreach (var member in set)
            {
                if (Array.IndexOf(lead.Replicas, member) < 0 && Array.IndexOf(_replicas, member) < 0)
                {
                    lead.ToRelease.Add(member);
                }
            }
        }
    }

    /// <summary>
    /// Release rule (make before break): a copy outside the set is released only once the term's
    /// TermStart is committed and every follower holds the log up to it, so every record that copy
    /// held is on every member of the set.
    /// </summary>
    private void SendReleases(Leadership lead)
    {
        if (lead.ToRelease.Count == 0 || lead.Commit <= lead.TermStartOffset)
        {
            return;
        }

        foreach (var follower in lead.Followers.Values)
        {
            if (!follower.Promised || follower.Matched <= lead.TermStartOffset)
            {
                return;
            }
        }

        foreach (var member in lead.ToRelease)
        {
            if (!lead.ReleaseSentAt.TryGetValue(member, out var at) || _node.Now - at >= Options.PrepareRetryMs)
            {
                lead.ReleaseSentAt[member] = _node.Now;
                _node.SendNow(member, new Release(Partition, lead.Term));
            }
        }
    }

    /// <summary>
    /// Drops the copy a leader released, unless this member's assignment names it a replica, it
    /// leads, or it promised a newer term since (that term's leader may count on the copy). The
    /// promise stays; the log starts over empty.
    /// </summary>
    private void OnRelease(string from, Release release)
    {
        _node.SendNow(from, new ReleaseAck(Partition, release.Term));
        if (_lead is not null || Array.IndexOf(_replicas, Self) >= 0 || release.Term < _state.PromisedTerm
            || (release.Term == _state.PromisedTerm && !string.Equals(from, _state.PromisedTo, StringComparison.Ordinal)))
        {
            return;
        }

        if (_log.NextOffset > _log.StartOffset || _log.LastTerm != 0)
        {
            _log.Reset(0, 0);
            MarkFlush();
            _node.CopiesReleased++;
        }

        _stoodIn = false;
        _matched = 0;
        _ackPending = false;
        _commit = 0;
        _consumed = 0;
        _earlier.Clear();
        SaveState();
    }

    private void OnReleaseAck(string from, ReleaseAck ack)
    {
        if (_lead is { } lead && ack.Term == lead.Term)
        {
            lead.ToRelease.Remove(from);
            lead.ReleaseSentAt.Remove(from);
        }
    }

    /// <summary>The assigned replica a member of the term's set stands in for; null when it is assigned.</summary>
    private string? StandsInFor(Leadership lead, string member)
    {
        var i = Array.IndexOf(lead.Replicas, member);
        return i >= 0 && i < _replicas.Length && Array.IndexOf(_replicas, member) < 0 ? _replicas[i] : null;
    }

    /// <summary>Members outside the assignment this replica exchanges messages with (stand-ins it leads, or the leader it stands in for), so pings keep them known alive.</summary>
    public void AddOffAssignmentPeers(HashSet<string> into)
    {
        if (_lead is not null)
        {
            foreach (var member in _lead.Replicas)
            {
                if (Array.IndexOf(_replicas, member) < 0)
                {
                    into.Add(member);
                }
            }
        }
        else if (HoldsSubstituteCopy && _state.PromisedTo is { } leader && !IsSelf(leader))
        {
            into.Add(leader);
        }
    }
}
