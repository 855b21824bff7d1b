using DataCluster.Storage;

namespace DataCluster.Replication.Tests.Simulation;

/// <summary>One simulated member: its disk (logs and saved states) outlives its node, which a crash discards.</summary>
internal sealed class SimMember(string id)
{
    public string Id { get; } = id;

    /// <summary>The running node, or null while the member is down.</summary>
    public ReplicaNode? Node { get; set; }

    /// <summary>Counts starts, so that completions of an earlier incarnation are not mistaken for this one's.</summary>
    public int Incarnation { get; set; }

    public long NextTickAt { get; set; }

    /// <summary>The epoch of the assignment this incarnation started with.</summary>
    public long RunningSince { get; set; }

    public Dictionary<int, MemoryPartitionLog> Logs { get; } = [];

    public MemoryReplicaStateStore Store { get; } = new();

    public MemoryPartitionLog Log(int partition)
    {
        if (!Logs.TryGetValue(partition, out var log))
        {
            log = new MemoryPartitionLog(partition);
            Logs[partition] = log;
        }

        return log;
    }
}
