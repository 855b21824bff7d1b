using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Peers;

/// <summary>
/// Log messages of the peer transport, source-generated, event ids 16xxx (see
/// <c>Observability/AgentLog.cs</c> for the other ranges). A peer that stays unreachable is
/// logged once at Warning when it becomes so and once when it is reached again; the attempts in
/// between are Debug, so a long outage does not flood the log.
/// </summary>
internal static partial class PeerLog
{
    [LoggerMessage(EventId = 16001, Level = LogLevel.Warning, Message = "Peer {Peer} is unreachable at {Address}: {Reason}. Retrying with backoff (next in {DelayMs} ms); its messages queue up to the limit and then drop oldest first")]
    public static partial void Unreachable(ILogger logger, string peer, string address, string reason, long delayMs);

    [LoggerMessage(EventId = 16002, Level = LogLevel.Debug, Message = "Peer {Peer} still unreachable at {Address} after {Attempts} attempts: {Reason}; next attempt in {DelayMs} ms")]
    public static partial void StillUnreachable(ILogger logger, string peer, string address, int attempts, string reason, long delayMs);

    [LoggerMessage(EventId = 16003, Level = LogLevel.Information, Message = "Connected to peer {Peer} at {Address} after {Attempts} failed attempts")]
    public static partial void Reconnected(ILogger logger, string peer, string address, int attempts);

    [LoggerMessage(EventId = 16004, Level = LogLevel.Debug, Message = "Connected to peer {Peer} at {Address}")]
    public static partial void Connected(ILogger logger, string peer, string address);

    [LoggerMessage(EventId = 16005, Level = LogLevel.Information, Message = "Peer {Peer} moved from {Old} to {New}; reconnecting")]
    public static partial void AddressChanged(ILogger logger, string peer, string old, string @new);

    [LoggerMessage(EventId = 16006, Level = LogLevel.Warning, Message = "Dropped {Items} partition messages for peer {Peer} ({Reason}); the replication protocol resends what still matters")]
    public static partial void Dropped(ILogger logger, string peer, long items, string reason);

    [LoggerMessage(EventId = 16007, Level = LogLevel.Error, Message = "Dropped a {Type} message of partition {Partition} for peer {Peer}: {Bytes} bytes is over the {Limit} bytes a peer accepts. Records that large cannot be replicated; lower the client request size limit below it")]
    public static partial void Oversized(ILogger logger, string type, int partition, string peer, long bytes, int limit);

    [LoggerMessage(EventId = 16008, Level = LogLevel.Warning, Message = "Refused a peer request from {Remote} for {Path}: {Reason} (answered 401)")]
    public static partial void Unauthorized(ILogger logger, string remote, string path, string reason);

    [LoggerMessage(EventId = 16009, Level = LogLevel.Warning, Message = "Refused a peer stream from {From} at {Remote}: it is meant for member {To}, and this is {Self} (the sender has a stale address for {To})")]
    public static partial void WrongMember(ILogger logger, string from, string remote, string to, string self);

    [LoggerMessage(EventId = 16010, Level = LogLevel.Warning, Message = "Closed the peer stream from {From} at {Remote}: {Reason}")]
    public static partial void BadBatch(ILogger logger, string from, string remote, string reason);

    [LoggerMessage(EventId = 16012, Level = LogLevel.Warning, Message = "Left out {Count} message(s) of a type this agent does not know from {From} at {Remote}; is a newer agent version sending? Logged once per stream; every one is counted under the peer_rejected reason unknown_message")]
    public static partial void UnknownMessages(ILogger logger, string from, string remote, int count);

    [LoggerMessage(EventId = 16011, Level = LogLevel.Information, Message = "Peer transport of {Self} listening on {Address}")]
    public static partial void Listening(ILogger logger, string self, string address);
}
