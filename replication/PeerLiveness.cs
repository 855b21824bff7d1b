namespace DataCluster.Replication;

/// <summary>
/// When each peer was last heard from, to tell which are known down: contacted, and silent for
/// longer than <see cref="ReplicationOptions.DownAfterMs"/>. A peer never contacted is not known
/// down: nothing says it is.
/// </summary>
/// <remarks>Not thread-safe; owned by one <see cref="ReplicaNode"/>.</remarks>
internal sealed class PeerLiveness(long downAfterMs)
{
    private readonly Dictionary<string, (long FirstContact, long LastHeard, long UpSince)> _peers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _incarnations = new(StringComparer.Ordinal);

    public void Heard(string peer, long now)
    {
        if (!_peers.TryGetValue(peer, out var seen))
        {
            _peers[peer] = (now, now, now);
            return;
        }

        // Back after being known down: up again from now.
        var upSince = now - seen.LastHeard > downAfterMs ? now : seen.UpSince;
        _peers[peer] = (seen.FirstContact, now, upSince);
    }

    public void Contacted(string peer, long now)
    {
        if (!_peers.ContainsKey(peer))
        {
            _peers[peer] = (now, now, now);
        }
    }

    /// <summary>
    /// Records the incarnation a peer's ping carried; true when it is new here: the peer restarted,
    /// or this is the first ping heard from it (nothing says it did not restart before).
    /// </summary>
    public bool NewIncarnation(string peer, long incarnation)
    {
        var known = _incarnations.TryGetValue(peer, out var before);
        _incarnations[peer] = incarnation;
        return !known || before != incarnation;
    }

    public bool IsDown(string peer, long now) =>
        _peers.TryGetValue(peer, out var seen) && now - seen.LastHeard > downAfterMs;

    /// <summary>
    /// True when the peer answered within half of <c>downAfterMs</c> (a live peer pings every
    /// heartbeat interval) and has answered without a gap of <c>downAfterMs</c> for at least that
    /// long: back for good rather than for a moment (a member still starting, or one whose link
    /// flaps).
    /// </summary>
    public bool IsSteadilyUp(string peer, long now) =>
        !_peers.TryGetValue(peer, out var seen) || (now - seen.LastHeard < downAfterMs / 2 && now - seen.UpSince >= downAfterMs);
}
