namespace DataCluster.Ring;

/// <summary>Whether a member takes new work.</summary>
public enum MemberState
{
    /// <summary>Receives replicas and may lead partitions.</summary>
    Active,

    /// <summary>
    /// Has just joined: receives replicas like an active member, but gains no leadership while a
    /// replica that is not joining may lead instead. Leadership reaches it only after it has
    /// followed for a while (make before break): its peers' streams to it are up and its copies
    /// have caught up, so its first terms start without waiting for either.
    /// </summary>
    Joining,

    /// <summary>
    /// Being removed: receives no new replicas and leads nothing. It keeps existing replicas
    /// only while no active member exists to take them, so data is never dropped first.
    /// </summary>
    Draining,
}

/// <summary>One ring member (one pod).</summary>
/// <param name="Id">Unique, stable identity: the pod name. Assignments refer to members by it.</param>
/// <param name="Ordinal">The StatefulSet ordinal; informational, the assignment does not use it.</param>
/// <param name="Zone">Topology zone; the empty string means unknown.</param>
/// <param name="Region">Topology region; the empty string means unknown.</param>
/// <param name="State">Active, joining or draining.</param>
public sealed record Member(string Id, int Ordinal, string Zone, string Region, MemberState State = MemberState.Active);
