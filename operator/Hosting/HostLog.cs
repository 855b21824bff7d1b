using Microsoft.Extensions.Logging;

namespace DataCluster.Operator.Hosting;

/// <summary>Log messages of the operator process. Event ids 7100-7199.</summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Operator {Identity} starting: namespaces {Namespaces}, leader election {LeaderElect}, agent image {AgentImage}, {Workers} workers")]
    public static partial void Starting(this ILogger logger, string identity, string namespaces, bool leaderElect, string agentImage, int workers);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "Leading: starting caches and the controller")]
    public static partial void Leading(this ILogger logger);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Warning, Message = "Lost leadership; exiting so that the process restarts clean")]
    public static partial void LostLeadership(this ILogger logger);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Warning, Message = "Cannot discover the API server's versions yet; retrying in {DelayMs} ms")]
    public static partial void DiscoveryFailed(this ILogger logger, Exception exception, long delayMs);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Information, Message = "Caches synced ({Clusters} DataClusters); reconciling")]
    public static partial void CachesSynced(this ILogger logger, int clusters);

    [LoggerMessage(EventId = 7106, Level = LogLevel.Information, Message = "Serving {What} on {Address}")]
    public static partial void Serving(this ILogger logger, string what, string address);

    [LoggerMessage(EventId = 7107, Level = LogLevel.Information, Message = "Standing by: {Leader} leads")]
    public static partial void StandingBy(this ILogger logger, string leader);
}
