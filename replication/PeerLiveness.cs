namespace DataCluster.Replication;

/// <summary>
/// When each peer was last heard from, to tell which are known down: contacted, and silent for
/// longer than <see cref="ReplicationOptions.DownAfterMs"/>. A peer never contacted is not known
/// down: nothing says it is.
/// </summary>
/// <remarks>Not thread-safe; owned by one <see cref="ReplicaNode"/>.</remarks>
internal sealed class PeerLiveness(long downAfterMs)
{
    private readonly Dictionary<string, (long FirstContact, long LastHeard)> _peers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _incarnations = new(StringComparer.Ordinal);

    public void Heard(string peer, long now)
    {
        _peers[peer] = _peers.TryGetValue(peer, out var seen) ? (seen.FirstContact, now) : (now, now);
    }

    public void Contacted(string peer, long now)
    {
        if (!_peers.ContainsKey(peer))
        {
            _peers[peer] = (now, now);
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
}
