using DataCluster.Replication;

namespace DataCluster.Agent.DataPlane;

/// <summary>
/// Hands replication messages to the peer transport. Implementations are thread-safe, never
/// block the caller, and keep the order of messages to one destination; a message may be lost
/// (a peer down, a full queue): the replication protocol sends again what was not acknowledged.
/// </summary>
public interface IPeerSender
{
    /// <summary>Queues <paramref name="message"/> for its destination.</summary>
    void Send(OutgoingMessage message);
}
