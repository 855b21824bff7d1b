using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Delivery;

/// <summary>Log messages of delivery to the app (event ids 172xx).</summary>
internal static partial class DeliveryLog
{
    [LoggerMessage(EventId = 17201, Level = LogLevel.Information, Message = "Delivering committed events of the partitions this member leads to {Url}, at most {InFlight} partitions at once")]
    public static partial void Started(ILogger logger, string url, int inFlight);

    [LoggerMessage(EventId = 17202, Level = LogLevel.Information, Message = "Delivery of partition {Partition} starts at offset {Offset} in epoch {Epoch}")]
    public static partial void PartitionStarted(ILogger logger, int partition, long offset, long epoch);

    [LoggerMessage(EventId = 17203, Level = LogLevel.Information, Message = "Delivery of partition {Partition} stopped: this member no longer leads it in epoch {Epoch}")]
    public static partial void PartitionStopped(ILogger logger, int partition, long epoch);

    [LoggerMessage(EventId = 17204, Level = LogLevel.Warning, Message = "The app did not take the batch of partition {Partition} from offset {Offset} ({Reason}); attempt {Attempt} failed, next in {DelayMs} ms")]
    public static partial void BatchFailed(ILogger logger, int partition, long offset, string reason, int attempt, long delayMs);
}
