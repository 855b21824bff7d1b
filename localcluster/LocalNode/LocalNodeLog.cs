using Microsoft.Extensions.Logging;

namespace DataCluster.LocalCluster.LocalNode;

/// <summary>The local node's log messages; event ids 7001-7099 are stable.</summary>
internal static partial class LocalNodeLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Local node registered Nodes {Nodes} and runs pods matching {Selector}; files in {RunDirectory}")]
    public static partial void Started(this ILogger logger, string nodes, string selector, string runDirectory);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Bound pod {Namespace}/{Pod} to Node {Node} (zone {Zone})")]
    public static partial void Bound(this ILogger logger, string @namespace, string pod, string node, string zone);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "No local Node satisfies the nodeSelector of pod {Namespace}/{Pod}; it stays Pending")]
    public static partial void Unschedulable(this ILogger logger, string @namespace, string pod);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Information, Message = "Started container {Container} of pod {Namespace}/{Pod}: pid {Pid} on {Address}, restart count {RestartCount}, log {LogFile}")]
    public static partial void ContainerStarted(this ILogger logger, string container, string @namespace, string pod, int pid, string address, int restartCount, string logFile);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "Container {Container} of pod {Namespace}/{Pod} exited with code {ExitCode} after {RanForSeconds:0.0} s; restarting in {DelaySeconds:0} s")]
    public static partial void ContainerExited(this ILogger logger, string container, string @namespace, string pod, int exitCode, double ranForSeconds, double delaySeconds);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "Container {Container} of pod {Namespace}/{Pod} cannot start ({Reason}): {Detail}")]
    public static partial void ContainerNotStarted(this ILogger logger, string container, string @namespace, string pod, string reason, string detail);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Information, Message = "Pod {Namespace}/{Pod} is being deleted: stopping its processes within {GraceSeconds} s")]
    public static partial void Terminating(this ILogger logger, string @namespace, string pod, long graceSeconds);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Information, Message = "Pod {Namespace}/{Pod} stopped and removed")]
    public static partial void Removed(this ILogger logger, string @namespace, string pod);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Warning, Message = "Writing the status of pod {Namespace}/{Pod} failed; retrying")]
    public static partial void StatusWriteFailed(this ILogger logger, Exception exception, string @namespace, string pod);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Warning, Message = "Handling pod {Key} failed; retrying")]
    public static partial void SyncFailed(this ILogger logger, Exception exception, string key);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Information, Message = "Crashing container {Container} of pod {Namespace}/{Pod}: SIGKILL to pid {Pid}")]
    public static partial void Crashing(this ILogger logger, string container, string @namespace, string pod, int pid);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Debug, Message = "Container {Container} of pod {Namespace}/{Pod} is {Readiness}")]
    public static partial void Readiness(this ILogger logger, string container, string @namespace, string pod, string readiness);

    [LoggerMessage(EventId = 7013, Level = LogLevel.Warning, Message = "Deleting pod {Namespace}/{Pod} after its processes stopped failed")]
    public static partial void DeleteFailed(this ILogger logger, Exception exception, string @namespace, string pod);

    [LoggerMessage(EventId = 7014, Level = LogLevel.Information, Message = "Volume claim {Namespace}/{Claim} is gone: removed its directory {Directory}")]
    public static partial void ClaimRemoved(this ILogger logger, string @namespace, string claim, string directory);
}
