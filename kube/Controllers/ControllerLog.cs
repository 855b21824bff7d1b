using Microsoft.Extensions.Logging;

namespace DataCluster.Kube.Controllers;

/// <summary>Log messages of the controller runtime. Event ids 6000-6099.</summary>
internal static partial class ControllerLog
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Controller {Controller} is waiting for its caches to sync")]
    public static partial void WaitingForSync(this ILogger logger, string controller);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Controller {Controller} caches synced; starting {Workers} workers")]
    public static partial void Started(this ILogger logger, string controller, int workers);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "Controller {Controller} stopped")]
    public static partial void Stopped(this ILogger logger, string controller);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Debug, Message = "Reconciled {Request} in {ElapsedMs} ms")]
    public static partial void Reconciled(this ILogger logger, ReconcileRequest request, long elapsedMs);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Debug, Message = "Reconciled {Request} in {ElapsedMs} ms; looking again in {RequeueMs} ms")]
    public static partial void Requeued(this ILogger logger, ReconcileRequest request, long elapsedMs, long requeueMs);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Error, Message = "Reconciling {Request} failed ({Failures} in a row); retrying in {RetryMs} ms")]
    public static partial void ReconcileFailed(this ILogger logger, Exception exception, ReconcileRequest request, int failures, long retryMs);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Information, Message = "Reconciling {Request} hit a conflict with a newer version ({Message}); retrying in {RetryMs} ms")]
    public static partial void ReconcileConflict(this ILogger logger, ReconcileRequest request, string message, long retryMs);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Error, Message = "An event mapping of controller {Controller} threw for {Kind} {Key}")]
    public static partial void MappingFailed(this ILogger logger, Exception exception, string controller, string kind, string key);

    [LoggerMessage(EventId = 6009, Level = LogLevel.Warning, Message = "The metrics observer of controller {Controller} threw")]
    public static partial void ObserverFailed(this ILogger logger, Exception exception, string controller);

    [LoggerMessage(EventId = 6020, Level = LogLevel.Information, Message = "Event {Type} {Reason} for {Kind} {Namespace}/{Name}: {Message}")]
    public static partial void EventRecorded(this ILogger logger, string type, string reason, string kind, string? @namespace, string? name, string message);

    [LoggerMessage(EventId = 6021, Level = LogLevel.Warning, Message = "Could not record event {Reason} for {Kind} {Namespace}/{Name}")]
    public static partial void EventFailed(this ILogger logger, Exception exception, string reason, string kind, string? @namespace, string? name);
}
