using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Observability;

/// <summary>
/// Every log message of the agent, source-generated. Event ids are stable (alerts match on
/// them) and distinct from the kube library's (1xxx-5xxx): 11xxx heartbeat, 12xxx cluster leadership,
/// 13xxx assignment publishing, 14xxx assignment loading and notifications, 15xxx host and HTTP.
/// </summary>
internal static partial class AgentLog
{
    [LoggerMessage(EventId = 11001, Level = LogLevel.Warning, Message = "The member Lease {Lease} does not exist; the operator creates it (the agent's Role allows no create). Retrying with backoff; this agent is not ready until it exists")]
    public static partial void LeaseMissing(ILogger logger, string lease);

    [LoggerMessage(EventId = 11002, Level = LogLevel.Warning, Message = "Renewing the member Lease {Lease} failed ({Reason}); retrying every renew interval")]
    public static partial void LeaseRenewFailed(ILogger logger, string lease, string reason);

    [LoggerMessage(EventId = 11003, Level = LogLevel.Information, Message = "The member Lease {Lease} was renewed again after {Failures} failed attempts")]
    public static partial void LeaseRenewedAgain(ILogger logger, string lease, int failures);

    [LoggerMessage(EventId = 12001, Level = LogLevel.Information, Message = "Leading cluster {Cluster}: watching member Leases and publishing assignments")]
    public static partial void LeaderDutiesStarted(ILogger logger, string cluster);

    [LoggerMessage(EventId = 12002, Level = LogLevel.Information, Message = "Stopped leading cluster {Cluster}")]
    public static partial void LeaderDutiesStopped(ILogger logger, string cluster);

    [LoggerMessage(EventId = 12003, Level = LogLevel.Information, Message = "Cluster {Cluster} is forming: {Members} of the {ReplicationFactor} members a full replica set needs have fresh Leases; the first assignment waits for more, at most {WaitSeconds} s")]
    public static partial void FormingWait(ILogger logger, string cluster, int members, int replicationFactor, double waitSeconds);

    [LoggerMessage(EventId = 12004, Level = LogLevel.Warning, Message = "Cluster {Cluster}: publishing the first assignment with {Members} members, fewer than the replication factor {ReplicationFactor}, after waiting {WaitSeconds} s for more; partitions have fewer replicas until more members join")]
    public static partial void FormingShort(ILogger logger, string cluster, int members, int replicationFactor, double waitSeconds);

    [LoggerMessage(EventId = 13001, Level = LogLevel.Information, Message = "Published assignment epoch {Epoch} for {Members} members (membership epoch {MembershipEpoch}, attempt {Attempt})")]
    public static partial void AssignmentPublished(ILogger logger, long epoch, int members, long membershipEpoch, int attempt);

    [LoggerMessage(EventId = 13002, Level = LogLevel.Information, Message = "The assignment ConfigMap {ConfigMap} changed while publishing epoch {Epoch} (attempt {Attempt}); reading it again")]
    public static partial void PublishConflict(ILogger logger, string configMap, long epoch, int attempt);

    [LoggerMessage(EventId = 13003, Level = LogLevel.Error, Message = "Not publishing to {ConfigMap}: {Problem}")]
    public static partial void PublishRefused(ILogger logger, string configMap, string problem);

    [LoggerMessage(EventId = 13004, Level = LogLevel.Warning, Message = "The assignment ConfigMap {ConfigMap} does not exist; the operator creates it (the agent's Role allows no create). Retrying")]
    public static partial void AssignmentConfigMapMissing(ILogger logger, string configMap);

    [LoggerMessage(EventId = 13005, Level = LogLevel.Warning, Message = "Publishing the assignment failed ({Reason}); retrying in {RetrySeconds} s or at the next change")]
    public static partial void PublishFailed(ILogger logger, string reason, double retrySeconds);

    [LoggerMessage(EventId = 14001, Level = LogLevel.Information, Message = "Loaded assignment epoch {Epoch}: {Members} members; this agent holds {Held} partitions and leads {Led} (published by {PublishedBy})")]
    public static partial void AssignmentLoaded(ILogger logger, long epoch, int members, int held, int led, string publishedBy);

    [LoggerMessage(EventId = 14002, Level = LogLevel.Error, Message = "Ignoring the assignment ConfigMap's content and keeping the last good assignment: {Problem}")]
    public static partial void AssignmentUnusable(ILogger logger, string problem);

    [LoggerMessage(EventId = 14003, Level = LogLevel.Warning, Message = "An assignment watch subscriber fell more than {Capacity} events behind and was disconnected; it reconnects and starts from the current state")]
    public static partial void SubscriberCutOff(ILogger logger, int capacity);

    [LoggerMessage(EventId = 15001, Level = LogLevel.Information, Message = "Agent {Pod} of cluster {Cluster} in {Namespace} starting; API server {Server} ({Source})")]
    public static partial void Starting(ILogger logger, string pod, string cluster, string @namespace, string server, string source);

    [LoggerMessage(EventId = 15002, Level = LogLevel.Information, Message = "Agent {Pod} serving the client API on {Address}")]
    public static partial void Serving(ILogger logger, string pod, string address);

    [LoggerMessage(EventId = 15003, Level = LogLevel.Information, Message = "Agent {Pod} stopping: readiness off, releasing cluster leadership, leaving the member Lease to expire")]
    public static partial void Stopping(ILogger logger, string pod);

    [LoggerMessage(EventId = 15004, Level = LogLevel.Warning, Message = "Could not ask the API server which EndpointSlice version it serves ({Reason}); retrying in {DelayMs} ms")]
    public static partial void DiscoveryFailed(ILogger logger, string reason, long delayMs);

    [LoggerMessage(EventId = 15005, Level = LogLevel.Error, Message = "Request {Method} {Path} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 15006, Level = LogLevel.Information, Message = "Exporting traces and metrics over OTLP to {Endpoint}")]
    public static partial void OtlpExportEnabled(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 15007, Level = LogLevel.Information, Message = "Agent {Pod} caught up: ring membership epoch {MembershipEpoch}, assignment epoch {Epoch}; campaigning for cluster leader")]
    public static partial void CaughtUp(ILogger logger, string pod, long membershipEpoch, long epoch);

    [LoggerMessage(EventId = 15008, Level = LogLevel.Information, Message = "Agent {Pod} is stopping: handing off its partition leaderships for up to {GraceSeconds} s before it stops")]
    public static partial void HandoffStarted(ILogger logger, string pod, double graceSeconds);

    [LoggerMessage(EventId = 15009, Level = LogLevel.Information, Message = "Agent {Pod} handed off its partition leaderships in {ElapsedMs} ms; stopping")]
    public static partial void HandoffCompleted(ILogger logger, string pod, long elapsedMs);

    [LoggerMessage(EventId = 15010, Level = LogLevel.Warning, Message = "Agent {Pod} still had {Pending} partitions without a new leader after the shutdown grace of {GraceSeconds} s ({First}); stopping anyway, they move when its Lease lapses")]
    public static partial void HandoffTimedOut(ILogger logger, string pod, int pending, double graceSeconds, string first);

    [LoggerMessage(EventId = 15011, Level = LogLevel.Warning, Message = "Agent {Pod} could not mark its member Lease leaving now ({Problem}); the next renewal carries the mark")]
    public static partial void LeavingNotAnnounced(ILogger logger, string pod, string problem);
}
