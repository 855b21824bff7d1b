using System.Net;
using Microsoft.Extensions.Logging;

namespace DataCluster.Kube.Logging;

/// <summary>
/// Every log message of the library, source-generated. Event ids are stable (dashboards and
/// alerts match on them): 1xxx client, 2xxx watch, 3xxx informer, 4xxx leader election,
/// 5xxx discovery.
/// </summary>
internal static partial class KubeLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "{Method} {Path} answered {StatusCode} in {ElapsedMs} ms")]
    public static partial void RequestCompleted(this ILogger logger, string method, string path, int statusCode, long elapsedMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "{Method} {Path} failed with {StatusCode}: {ServerMessage}")]
    public static partial void RequestFailed(this ILogger logger, string method, string path, HttpStatusCode statusCode, string serverMessage);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "The server rejected the credentials (401); they will be read or obtained again")]
    public static partial void TokenRejected(this ILogger logger);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "The exec plugin {Command} of user {User} returned a credential valid until {Expires}")]
    public static partial void ExecCredentialObtained(this ILogger logger, string user, string command, DateTimeOffset? expires);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Watch of {Resource} in {Namespace} started from resourceVersion {ResourceVersion}")]
    public static partial void WatchStarted(this ILogger logger, string resource, string @namespace, string? resourceVersion);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Watch of {Resource} in {Namespace} closed by the server at resourceVersion {ResourceVersion}; reconnecting")]
    public static partial void WatchClosed(this ILogger logger, string resource, string @namespace, string? resourceVersion);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Watch of {Resource} in {Namespace} failed (attempt {Attempt}); reconnecting in {DelayMs} ms")]
    public static partial void WatchFailed(this ILogger logger, Exception exception, string resource, string @namespace, int attempt, long delayMs);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Watch of {Resource} in {Namespace} from resourceVersion {ResourceVersion} is too old (410); a relist is needed")]
    public static partial void WatchExpired(this ILogger logger, string resource, string @namespace, string? resourceVersion);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Watch of {Resource} in {Namespace} gave up after {Attempts} failed reconnects")]
    public static partial void WatchGaveUp(this ILogger logger, string resource, string @namespace, int attempts);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Informer for {Resource} in {Namespace} listed {Count} objects at resourceVersion {ResourceVersion} ({Added} added, {Updated} updated, {Deleted} deleted)")]
    public static partial void InformerListed(this ILogger logger, string resource, string @namespace, int count, string? resourceVersion, int added, int updated, int deleted);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Informer for {Resource} in {Namespace} could not list; retrying in {DelayMs} ms")]
    public static partial void InformerListFailed(this ILogger logger, Exception exception, string resource, string @namespace, long delayMs);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Informer for {Resource} in {Namespace} relists: {Why}")]
    public static partial void InformerRelisting(this ILogger logger, string resource, string @namespace, string why);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "An informer handler for {Resource} threw on {EventType} of {Key}")]
    public static partial void InformerHandlerFailed(this ILogger logger, Exception exception, string resource, string eventType, string key);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "{Identity} acquired the lease {Lease}")]
    public static partial void LeaseAcquired(this ILogger logger, string identity, string lease);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "{Identity} lost the lease {Lease}: could not renew within the renew deadline")]
    public static partial void LeaseLost(this ILogger logger, string identity, string lease);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "{Identity} released the lease {Lease}")]
    public static partial void LeaseReleased(this ILogger logger, string identity, string lease);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "The lease {Lease} is now held by {Leader}")]
    public static partial void NewLeader(this ILogger logger, string lease, string leader);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Debug, Message = "{Identity} could not acquire or renew the lease {Lease}")]
    public static partial void LeaseAttemptFailed(this ILogger logger, Exception exception, string identity, string lease);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "{Identity} could not release the lease {Lease}; others take over when it expires")]
    public static partial void LeaseReleaseFailed(this ILogger logger, Exception exception, string identity, string lease);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Error, Message = "A leader-election callback of {Identity} for {Lease} threw")]
    public static partial void LeaderCallbackFailed(this ILogger logger, Exception exception, string identity, string lease);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Warning, Message = "{Identity} got no answer about the lease {Lease} within {DeadlineMs} ms; trying again")]
    public static partial void LeaseAttemptTimedOut(this ILogger logger, string identity, string lease, long deadlineMs);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "{Kind} is served as {GroupVersion}")]
    public static partial void VersionResolved(this ILogger logger, string kind, string groupVersion);
}
