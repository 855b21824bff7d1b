using Microsoft.Extensions.Logging;

namespace DataCluster.Operator.Controllers;

/// <summary>Log messages of the DataCluster reconciler. Event ids 7000-7099.</summary>
internal static partial class ReconcilerLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "DataCluster {Namespace}/{Name} is invalid: {Problems}")]
    public static partial void Invalid(this ILogger logger, string @namespace, string name, string problems);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Applied {Kind} {Namespace}/{Name}")]
    public static partial void Applied(this ILogger logger, string kind, string? @namespace, string? name);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "Created {Kind} {Namespace}/{Name}")]
    public static partial void Created(this ILogger logger, string kind, string? @namespace, string? name);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "{Kind} {Namespace}/{Name} exists but is not owned by the DataCluster; left alone")]
    public static partial void Blocked(this ILogger logger, string kind, string? @namespace, string? name);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Information, Message = "Ring of DataCluster {Namespace}/{Name} published at membership epoch {Epoch} ({Ready} of {Members} endpoints ready)")]
    public static partial void RingPublished(this ILogger logger, string @namespace, string name, long epoch, int ready, int members);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Information, Message = "DataCluster {Namespace}/{Name}: StatefulSet replicas {From} -> {To}")]
    public static partial void Scaled(this ILogger logger, string @namespace, string name, int from, int to);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Information, Message = "DataCluster {Namespace}/{Name}: waiting for {Members} to be drained ({Left} partition replicas left; assignment at membership epoch {AssignmentEpoch}, drain published at {DrainEpoch})")]
    public static partial void WaitingForDrain(this ILogger logger, string @namespace, string name, string members, string left, string assignmentEpoch, long drainEpoch);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Information, Message = "Status of DataCluster {Namespace}/{Name} updated: ready {Ready}, membership epoch {Epoch}")]
    public static partial void StatusUpdated(this ILogger logger, string @namespace, string name, string ready, long epoch);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Information, Message = "Added the owner reference of DataCluster {Namespace}/{Name} to volume claim {Claim}")]
    public static partial void ClaimOwned(this ILogger logger, string @namespace, string name, string claim);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Warning, Message = "DataCluster {Namespace}/{Name}: {Message}")]
    public static partial void ChangeIgnored(this ILogger logger, string @namespace, string name, string message);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Information, Message = "Recreating the ring EndpointSlice of DataCluster {Namespace}/{Name}: its address type changes from {From} to {To}")]
    public static partial void RecreatingSlice(this ILogger logger, string @namespace, string name, string from, string to);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Warning, Message = "DataCluster {Namespace}/{Name}: the dry run of a member pod failed, so the new pod template goes to the StatefulSet unchecked: {Reason}")]
    public static partial void TemplateNotChecked(this ILogger logger, string @namespace, string name, string reason);
}
