using DataCluster.LocalCluster.LocalNode;

namespace DataCluster.LocalCluster;

/// <summary>
/// Whether the agents of a set of members agree on one ring: each answers GET /v1/ring with the
/// same epoch, in which exactly those members are active and hold replicas, and (with at least
/// as many partitions as members) each leads some: a member that has just joined leads only
/// once the cluster leader has let it settle, and a ring before that is not the settled one.
/// </summary>
public static class RingAgreement
{
    /// <summary>The ring each member's agent served, when they agree (and <paramref name="also"/> holds for each); null otherwise.</summary>
    /// <param name="node">Where the member pods run (for their addresses).</param>
    /// <param name="agents">The client for the agents' API.</param>
    /// <param name="namespace">The DataCluster's namespace.</param>
    /// <param name="members">Member ids (pod names).</param>
    /// <param name="also">An extra condition on every served ring, e.g. an epoch above the last.</param>
    public static async Task<IReadOnlyDictionary<string, AgentRing>?> CheckAsync(
        LocalNode.LocalNode node,
        AgentApiClient agents,
        string @namespace,
        IReadOnlyCollection<string> members,
        Func<AgentRing, bool>? also = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(agents);
        ArgumentNullException.ThrowIfNull(members);
        var rings = new Dictionary<string, AgentRing>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            if (node.Process(@namespace, member) is not { Running: true } process
                || await agents.RingAsync(process.Address, cancellationToken).ConfigureAwait(false) is not { } ring)
            {
                return null;
            }

            rings[member] = ring;
        }

        if (rings.Count == 0)
        {
            return null;
        }

        var first = rings.Values.First();
        var expected = members.Order(StringComparer.Ordinal).ToList();
        bool Formed(AgentRing ring) =>
            ring.Epoch == first.Epoch
            && ring.Members.Where(m => m.Replicas > 0).Select(m => m.Id).Order(StringComparer.Ordinal).SequenceEqual(expected)
            && ring.Members.Where(m => expected.Contains(m.Id)).All(m => m.State == "active" && (m.Leads > 0 || ring.Partitions < expected.Count));
        return rings.Values.All(Formed) && (also is null || rings.Values.All(also)) ? rings : null;
    }
}
