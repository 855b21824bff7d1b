namespace DataCluster.Contracts;

/// <summary>One environment variable the agent reads.</summary>
/// <param name="Name">Variable name.</param>
/// <param name="Default">Value used when unset; null when the variable is required.</param>
/// <param name="Accepted">The accepted values, as shown in the table and in error messages.</param>
/// <param name="Description">What it configures.</param>
public sealed record AgentVariable(string Name, string? Default, string Accepted, string Description)
{
    public bool Required => Default is null;
}

/// <summary>
/// The agent's environment variables: the single source for the agent's parser, its --help
/// table, the operator's StatefulSet builder and the README table (checked by a test).
/// </summary>
public static class AgentEnvironment
{
    public const string ClusterName = "DATACLUSTER_NAME";
    public const string PodName = "POD_NAME";
    public const string PodNamespace = "POD_NAMESPACE";
    public const string PodIp = "POD_IP";
    public const string NodeName = "NODE_NAME";
    public const string BindAddress = "DATACLUSTER_BIND_ADDRESS";
    public const string ClientPort = "DATACLUSTER_CLIENT_PORT";
    public const string PeerPort = "DATACLUSTER_PEER_PORT";
    public const string DataDirectory = "DATACLUSTER_DATA_DIR";
    public const string PeerTokenFile = "DATACLUSTER_PEER_TOKEN_FILE";
    public const string LeaseDurationSeconds = "DATACLUSTER_LEASE_DURATION_SECONDS";
    public const string RenewIntervalSeconds = "DATACLUSTER_RENEW_INTERVAL_SECONDS";
    public const string Partitions = "DATACLUSTER_PARTITIONS";
    public const string ReplicationFactor = "DATACLUSTER_REPLICATION_FACTOR";
    public const string CommitLevel = "DATACLUSTER_COMMIT_LEVEL";
    public const string OtherZoneReplicas = "DATACLUSTER_OTHER_ZONE_REPLICAS";
    public const string OtherRegionReplicas = "DATACLUSTER_OTHER_REGION_REPLICAS";
    public const string Substitutes = "DATACLUSTER_SUBSTITUTES";
    public const string AppDeliveryUrl = "DATACLUSTER_APP_DELIVERY_URL";
    public const string MaxEventBytes = "DATACLUSTER_MAX_EVENT_BYTES";
    public const string Fsync = "DATACLUSTER_FSYNC";
    public const string FsyncIntervalMs = "DATACLUSTER_FSYNC_INTERVAL_MS";
    public const string WriteTimeoutMs = "DATACLUSTER_WRITE_TIMEOUT_MS";
    public const string RetentionBytes = "DATACLUSTER_RETENTION_BYTES";
    public const string RetentionHours = "DATACLUSTER_RETENTION_HOURS";
    public const string ShutdownGraceSeconds = "DATACLUSTER_SHUTDOWN_GRACE_SECONDS";
    public const string LogLevel = "DATACLUSTER_LOG_LEVEL";
    public const string LogFormat = "DATACLUSTER_LOG_FORMAT";
    public const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private static readonly string PortRange = Limits.Range(Limits.Port.Min, Limits.Port.Max);

    /// <summary>Every variable, in the order of the documentation table.</summary>
    public static readonly IReadOnlyList<AgentVariable> All =
    [
        new(ClusterName, null, "a DNS-1035 label", "Name of the DataCluster this agent belongs to."),
        new(PodName, null, "NAME-ORDINAL, e.g. orders-0", "This pod's name (downward API metadata.name); the member id."),
        new(PodNamespace, null, "a namespace name", "This pod's namespace (downward API metadata.namespace)."),
        new(PodIp, null, "an IPv4 or IPv6 address", "This pod's IP (downward API status.podIP); peers reach the agent there."),
        new(NodeName, "", "a node name", "The node the pod runs on (downward API spec.nodeName); informational."),
        new(BindAddress, "0.0.0.0", "an IP address", "Address the agent listens on."),
        new(ClientPort, Invariant(AgentPorts.Client), PortRange, "Port of the app/client API, health and metrics."),
        new(PeerPort, Invariant(AgentPorts.Peer), PortRange, "Port of peer (replication) traffic: long-lived streams (HTTP/1.1 upgraded to datacluster-peer/1) without TLS, every request checked against the peer token; every member uses the same port."),
        new(DataDirectory, AgentPaths.DataDirectory, "a writable directory", "Where the agent keeps its partition logs and replica state (the member's volume claim); must survive restarts of the member."),
        new(PeerTokenFile, $"{AgentPaths.PeerTokenDirectory}/{AgentPaths.PeerTokenKey}", "a readable file holding one token", "Bearer token members present to each other on the peer port (the operator mounts the Secret NAME-peer-token here); read at start, and the agent refuses to start without it."),
        new(LeaseDurationSeconds, Invariant(Limits.LeaseDurationSeconds.Default), Limits.Range(Limits.LeaseDurationSeconds.Min, Limits.LeaseDurationSeconds.Max) + ", greater than the renew interval", "How long a member Lease stays valid without renewal; a killed member is noticed after this."),
        new(RenewIntervalSeconds, Invariant(Limits.RenewIntervalSeconds.Default), Limits.Range(Limits.RenewIntervalSeconds.Min, Limits.RenewIntervalSeconds.Max) + ", less than the lease duration", "How often the agent renews its member Lease."),
        new(Partitions, Invariant(Limits.Partitions.Default), Limits.Range(Limits.Partitions.Min, Limits.Partitions.Max), "Number of partitions; fixed for the life of the cluster."),
        new(ReplicationFactor, Invariant(Limits.ReplicationFactor.Default), Limits.Range(Limits.ReplicationFactor.Min, Limits.ReplicationFactor.Max), "Replicas per partition."),
        new(CommitLevel, CommitLevels.Default, CommitLevels.Accepted, "Replicas that must have a write before it is acknowledged; a write may ask for a stronger level, never a weaker one."),
        new(OtherZoneReplicas, "0", "integer 0 to factor-1", "Replicas placed in other zones of the leader's region."),
        new(OtherRegionReplicas, "0", "integer 0 to factor-1-otherZoneReplicas", "Replicas placed in other regions."),
        new(Substitutes, "true", "true or false", "When a replica of a partition is down, its leader places that replica's copy on a member outside the partition's replica set (chosen by the placement rules above), so writes keep the factor and All can still be met; the stand-in hands the records over once the replica is back. false: writes needing the down replica wait."),
        new(AppDeliveryUrl, "", "empty or an http(s) URL", "Where the partition leader POSTs committed events to the local app, in offset order, at least once (2xx = consumed); empty: the app pulls with GET /v1/partitions/{p}/events and commits with POST /v1/partitions/{p}/consumed."),
        new(MaxEventBytes, Invariant(Limits.MaxEventBytes.Default), Limits.Range(Limits.MaxEventBytes.Min, Limits.MaxEventBytes.Max), "Largest event body accepted; larger writes get 413."),
        new(Fsync, "always", "always, interval or never", "When partition logs are fsynced: always (before any acknowledgement; survives power loss), interval (at most every DATACLUSTER_FSYNC_INTERVAL_MS; a power loss can lose that much acknowledged data) or never (the OS decides; only a process crash is survived)."),
        new(FsyncIntervalMs, Invariant(Limits.FsyncIntervalMs.Default), Limits.Range(Limits.FsyncIntervalMs.Min, Limits.FsyncIntervalMs.Max), "Longest time between fsyncs under DATACLUSTER_FSYNC=interval."),
        new(WriteTimeoutMs, Invariant(Limits.WriteTimeoutMs.Default), Limits.Range(Limits.WriteTimeoutMs.Min, Limits.WriteTimeoutMs.Max), "How long a write waits for its commit level before it is answered 503 timed_out (it may still be committed)."),
        new(RetentionBytes, "0", "integer 0 or more", "Per partition, log bytes kept before the oldest segments are removed; 0 sets no size limit."),
        new(RetentionHours, Invariant(Limits.RetentionHours.Default), Limits.Range(Limits.RetentionHours.Min, Limits.RetentionHours.Max), "How long events are kept; 0 keeps them until the size limit removes them."),
        new(ShutdownGraceSeconds, Invariant(Limits.ShutdownGraceSeconds.Default), Limits.Range(Limits.ShutdownGraceSeconds.Min, Limits.ShutdownGraceSeconds.Max), "On SIGTERM, how long the agent may keep running while its partition leaderships move to other members (it announces it is leaving, keeps serving as a replica, and stops once the new leaders lead); 0 stops at once. Must stay below the pod's terminationGracePeriodSeconds."),
        new(LogLevel, "Information", "Trace, Debug, Information, Warning, Error or Critical", "Minimum log level."),
        new(LogFormat, "json", "json or text", "Log line format."),
        new(OtlpEndpoint, "", "empty or an http(s) URL", "OpenTelemetry collector (OTLP) for the agent's traces and metrics; empty disables export. The other standard OTEL_* variables apply (protocol, headers, service name, resource attributes). Metrics are served at /metrics either way."),
    ];

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
