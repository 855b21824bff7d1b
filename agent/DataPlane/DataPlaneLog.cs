using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.DataPlane;

/// <summary>Log messages of the data plane (event ids 171xx).</summary>
internal static partial class DataPlaneLog
{
    [LoggerMessage(EventId = 17101, Level = LogLevel.Information, Message = "Data plane of {Member} started on {Directory} with {Partitions} partition logs on disk, fsync policy {FsyncPolicy}")]
    public static partial void Started(ILogger logger, string member, string directory, int partitions, string fsyncPolicy);

    [LoggerMessage(EventId = 17102, Level = LogLevel.Information, Message = "Data plane of {Member} stopped; its logs are flushed and closed")]
    public static partial void Stopped(ILogger logger, string member);

    [LoggerMessage(EventId = 17103, Level = LogLevel.Error, Message = "The data plane of {Member} failed: {Reason}")]
    public static partial void Failed(ILogger logger, string member, string reason);

    [LoggerMessage(EventId = 17104, Level = LogLevel.Information, Message = "Forwarding writes for partition {Partition} to its leader {Leader} failed: {Reason}")]
    public static partial void ForwardFailed(ILogger logger, int partition, string leader, string reason);

    [LoggerMessage(EventId = 17105, Level = LogLevel.Error, Message = "A read of partition {Partition} from offset {Offset} met a damaged record on this member's disk: {Reason}. The read is served by the partition's leader instead; replace this member's volume if it recurs")]
    public static partial void DamagedRead(ILogger logger, int partition, long offset, string reason);

    [LoggerMessage(EventId = 17106, Level = LogLevel.Error, Message = "This member's copy of partition {Partition} is damaged: {Reason}. The member takes no further part in that partition (its other partitions carry on) and leaves the files as they are; the partition's other replicas hold its committed records")]
    public static partial void PartitionDamaged(ILogger logger, int partition, string reason);

    [LoggerMessage(EventId = 17107, Level = LogLevel.Information, Message = "Partition {Partition}: {Substitute} stands in for the down replica {Replaced}; it keeps that replica's copy of new writes until the replica is back")]
    public static partial void SubstituteChosen(ILogger logger, int partition, string substitute, string replaced);

    [LoggerMessage(EventId = 17108, Level = LogLevel.Debug, Message = "Partition {Partition}: no member may stand in for the down replica {Replaced} (every other member holds a replica, is down or is draining); writes that need that replica wait for it")]
    public static partial void NoSubstitute(ILogger logger, int partition, string replaced);

    [LoggerMessage(EventId = 17109, Level = LogLevel.Warning, Message = "Partition {Partition}: no stand-in chosen for the down replica {Replaced}: {Reason}")]
    public static partial void SubstituteNotChosen(ILogger logger, int partition, string replaced, string reason);

    [LoggerMessage(EventId = 17110, Level = LogLevel.Warning, Message = "Partition {Partition}: this member's term {Term} has refused writes while syncing for {ElapsedMs} ms; it waits for {Waiting}")]
    public static partial void SlowSync(ILogger logger, int partition, long term, long elapsedMs, string waiting);
}
