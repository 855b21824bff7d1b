namespace DataCluster.Replication;

/// <summary>
/// Chooses the member that stands in for a replica of <paramref name="partition"/> that is down
/// (a substitute: it holds no replica of the partition and takes the down replica's copy until it
/// is back). Called by the partition's leader; must not block.
/// </summary>
/// <param name="partition">The partition.</param>
/// <param name="replicas">The partition's current replica set, leader first, stand-ins already in place.</param>
/// <param name="replaced">The assigned replica the substitute stands in for.</param>
/// <param name="usable">False for members the leader knows are down or that already hold a place in the set.</param>
/// <returns>The member, or null when none may stand in (the leader then waits for the replica as before).</returns>
public delegate string? SubstituteChooser(int partition, IReadOnlyList<string> replicas, string replaced, Func<string, bool> usable);
