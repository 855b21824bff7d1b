namespace DataCluster.Replication;

/// <summary>When a write is acknowledged to its client.</summary>
public enum CommitLevel
{
    /// <summary>The partition leader has the record durably. Lost if the leader's disk is lost or another leader takes over without it.</summary>
    One = 0,

    /// <summary>The record is committed: a majority of the term's replica set has it durably, in the leader's term. Survives the loss of any minority.</summary>
    Quorum = 1,

    /// <summary>Every member of the term's replica set has the record durably.</summary>
    All = 2,
}

/// <summary>What a member does for one partition.</summary>
public enum ReplicaRole
{
    /// <summary>Neither leads nor follows (holds no replica, or has not heard from a leader).</summary>
    None = 0,

    /// <summary>Promised a leader's term and takes its appends.</summary>
    Following = 1,

    /// <summary>Leads a term but does not accept writes yet: collecting promises, or fetching the records it lacks.</summary>
    Syncing = 2,

    /// <summary>Leads a term and accepts writes.</summary>
    Leading = 3,

    /// <summary>
    /// This member's copy of the log is damaged (a record failed its checksum where a crash
    /// cannot explain it): the member takes no part in the partition until its data is replaced.
    /// </summary>
    Damaged = 4,

    /// <summary>
    /// Holds a copy of a partition its assignment does not name it a replica of: it stands in for
    /// a down replica (a substitute), or it did and keeps the copy until the leader releases it,
    /// once every replica of the leader's set holds what it held.
    /// </summary>
    Substitute = 5,
}
