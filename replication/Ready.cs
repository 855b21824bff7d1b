using DataCluster.Replication.Messages;
using DataCluster.Storage;

namespace DataCluster.Replication;

/// <summary>One message for one peer.</summary>
/// <param name="To">The member to send it to.</param>
/// <param name="Message">Every partition's items for that member.</param>
public readonly record struct OutgoingMessage(string To, PeerMessage Message);

/// <summary>
/// What a <see cref="ReplicaNode"/> needs done after a batch of calls, taken with
/// <see cref="ReplicaNode.TakeReady"/> (etcd raft's Ready). The caller must, in this order:
/// <list type="number">
/// <item>send <see cref="SendNow"/> (they do not depend on anything below; a leader's appends go out while it flushes its own log),</item>
/// <item>deliver <see cref="Completions"/> to the clients waiting for them (they state facts that were durable before this Ready was taken, so they need not wait for its flush),</item>
/// <item>flush every log in <see cref="LogsToFlush"/>, then save <see cref="StatesToSave"/> in one call (logs first: a saved commit point must never be ahead of the log it describes),</item>
/// <item>send <see cref="SendAfterPersist"/> only once both are durable (promises and acknowledgements state facts about the disk),</item>
/// <item>call <see cref="ReplicaNode.Advance"/> with this object, and take the next Ready at once while <see cref="ReplicaNode.HasOutput"/> says there is one.</item>
/// </list>
/// No other call on the node may happen between <see cref="ReplicaNode.TakeReady"/> and
/// <see cref="ReplicaNode.Advance"/>: a step in between could truncate a log whose earlier
/// length an acknowledgement in this batch already claims.
/// </summary>
/// <remarks>Immutable; owned by the caller until <see cref="ReplicaNode.Advance"/>.</remarks>
public sealed class Ready
{
    internal Ready(
        IReadOnlyList<IPartitionLog> logsToFlush,
        IReadOnlyDictionary<int, ReplicaState> statesToSave,
        IReadOnlyList<OutgoingMessage> sendNow,
        IReadOnlyList<OutgoingMessage> sendAfterPersist,
        IReadOnlyList<Completion> completions,
        IReadOnlyList<DamagedPartition> damaged)
    {
        Damaged = damaged;
        LogsToFlush = logsToFlush;
        StatesToSave = statesToSave;
        SendNow = sendNow;
        SendAfterPersist = sendAfterPersist;
        Completions = completions;
    }

    /// <summary>Logs with appends or truncations to make durable (<see cref="IPartitionLog.FlushAsync"/>).</summary>
    public IReadOnlyList<IPartitionLog> LogsToFlush { get; }

    /// <summary>Replica states to save in one <see cref="IReplicaStateStore.SaveAsync"/> call.</summary>
    public IReadOnlyDictionary<int, ReplicaState> StatesToSave { get; }

    /// <summary>Messages to send at once, one per peer.</summary>
    public IReadOnlyList<OutgoingMessage> SendNow { get; }

    /// <summary>Messages to send only after the logs are flushed and the states saved, one per peer.</summary>
    public IReadOnlyList<OutgoingMessage> SendAfterPersist { get; }

    /// <summary>Proposals that ended.</summary>
    public IReadOnlyList<Completion> Completions { get; }

    /// <summary>Partitions found damaged since the last Ready, to log and count (each is reported once).</summary>
    public IReadOnlyList<DamagedPartition> Damaged { get; }

    /// <summary>True when there is nothing to do.</summary>
    public bool IsEmpty =>
        LogsToFlush.Count == 0 && StatesToSave.Count == 0 && SendNow.Count == 0 && SendAfterPersist.Count == 0 && Completions.Count == 0 && Damaged.Count == 0;
}

/// <summary>A partition whose log this member found damaged; see <see cref="ReplicaRole.Damaged"/>.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Reason">What was found, from the storage's <see cref="LogCorruptedException"/>.</param>
public readonly record struct DamagedPartition(int Partition, string Reason);
