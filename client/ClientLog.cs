using Microsoft.Extensions.Logging;

namespace DataCluster.Client;

/// <summary>The client's log messages (event ids 18xxx).</summary>
internal static partial class ClientLog
{
    [LoggerMessage(EventId = 18001, Level = LogLevel.Debug, Message = "Write of key {Key} (partition {Partition}, sequence {Sequence}) to {Target} answered {Status} {Error}; retrying in {DelayMs} ms")]
    public static partial void WriteRetry(ILogger logger, string key, int partition, long sequence, Uri target, int status, string? error, long delayMs);

    [LoggerMessage(EventId = 18002, Level = LogLevel.Debug, Message = "Write of key {Key} (partition {Partition}) to {Target}: {Leader} leads the partition; sending there")]
    public static partial void WriteRedirected(ILogger logger, string key, int partition, Uri target, string leader);

    [LoggerMessage(EventId = 18003, Level = LogLevel.Warning, Message = "Write of key {Key} (partition {Partition}, sequence {Sequence}) gave up after {Attempts} attempts in {ElapsedMs} ms: {Reason}")]
    public static partial void WriteGaveUp(ILogger logger, string key, int partition, long sequence, int attempts, long elapsedMs, string reason);

    [LoggerMessage(EventId = 18004, Level = LogLevel.Debug, Message = "Read of partition {Partition} from {Target} answered {Status} {Error}; retrying in {DelayMs} ms")]
    public static partial void ReadRetry(ILogger logger, int partition, Uri target, int status, string? error, long delayMs);

    [LoggerMessage(EventId = 18005, Level = LogLevel.Debug, Message = "Commit of consumed offset {Offset} of partition {Partition} to {Target} answered {Status} {Error}; retrying in {DelayMs} ms")]
    public static partial void CommitRetry(ILogger logger, int partition, long offset, Uri target, int status, string? error, long delayMs);

    [LoggerMessage(EventId = 18011, Level = LogLevel.Information, Message = "Ring of {Partitions} partitions at epoch {Epoch} read from {Source}: members {Members}")]
    public static partial void RingChanged(ILogger logger, int partitions, long epoch, Uri source, string members);

    [LoggerMessage(EventId = 18012, Level = LogLevel.Warning, Message = "Reading the ring from {Source} failed ({Reason}); retrying in {DelayMs} ms")]
    public static partial void RingFailed(ILogger logger, Uri source, string reason, long delayMs);

    [LoggerMessage(EventId = 18021, Level = LogLevel.Debug, Message = "Assignment stream of {Agent} opened")]
    public static partial void StreamOpened(ILogger logger, Uri agent);

    [LoggerMessage(EventId = 18022, Level = LogLevel.Debug, Message = "Assignment stream of {Agent} is down ({Reason}); reconnecting in {DelayMs} ms, polling /v1/assignments meanwhile")]
    public static partial void StreamDown(ILogger logger, Uri agent, string reason, long delayMs);

    [LoggerMessage(EventId = 18023, Level = LogLevel.Information, Message = "Agent {Agent} serves no assignment stream (status {Status}); polling /v1/assignments instead")]
    public static partial void StreamUnsupported(ILogger logger, Uri agent, int status);
}
