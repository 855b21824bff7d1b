namespace DataCluster.Replication.Messages;

/// <summary>
/// Leader to a member of a replica set its term replaced (a substitute that stood in for a down
/// replica, or a replica the ring moved away): every member of the term's own set now holds every
/// record from before the term, so the copy the member kept is no longer needed. The member drops
/// it unless its assignment names it a replica, or it promised a newer term since.
/// </summary>
/// <param name="Partition">The partition.</param>
/// <param name="Term">The leader's term.</param>
public sealed record Release(int Partition, long Term)
    : PartitionMessage(Partition, Term);

/// <summary>Answer to a <see cref="Release"/>, whether the copy was dropped or kept: the leader stops asking.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Term">The term of the release.</param>
public sealed record ReleaseAck(int Partition, long Term)
    : PartitionMessage(Partition, Term);
