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
    public const string AppDeliveryUrl = "DATACLUSTER_APP_DELIVERY_URL";
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
        new(PeerPort, Invariant(AgentPorts.Peer), PortRange, "Port of peer (replication) traffic; reserved until the write path lands."),
        new(DataDirectory, AgentPaths.DataDirectory, "a writable directory", "Where the agent keeps its partition logs; reserved until the write path lands."),
        new(PeerTokenFile, $"{AgentPaths.PeerTokenDirectory}/{AgentPaths.PeerTokenKey}", "a readable file", "Bearer token peers present to each other; reserved until the write path lands."),
        new(LeaseDurationSeconds, Invariant(Limits.LeaseDurationSeconds.Default), Limits.Range(Limits.LeaseDurationSeconds.Min, Limits.LeaseDurationSeconds.Max) + ", greater than the renew interval", "How long a member Lease stays valid without renewal; a killed member is noticed after this."),
        new(RenewIntervalSeconds, Invariant(Limits.RenewIntervalSeconds.Default), Limits.Range(Limits.RenewIntervalSeconds.Min, Limits.RenewIntervalSeconds.Max) + ", less than the lease duration", "How often the agent renews its member Lease."),
        new(Partitions, Invariant(Limits.Partitions.Default), Limits.Range(Limits.Partitions.Min, Limits.Partitions.Max), "Number of partitions; fixed for the life of the cluster."),
        new(ReplicationFactor, Invariant(Limits.ReplicationFactor.Default), Limits.Range(Limits.ReplicationFactor.Min, Limits.ReplicationFactor.Max), "Replicas per partition."),
        new(CommitLevel, CommitLevels.Default, CommitLevels.Accepted, "Replicas that must have a write before it is acknowledged; validated now, used once the write path lands."),
        new(OtherZoneReplicas, "0", "integer 0 to factor-1", "Replicas placed in other zones of the leader's region."),
        new(OtherRegionReplicas, "0", "integer 0 to factor-1-otherZoneReplicas", "Replicas placed in other regions."),
        new(AppDeliveryUrl, "", "empty or an http(s) URL", "Where committed events are pushed to the local app; empty disables push. Validated now, used once the write path lands."),
        new(LogLevel, "Information", "Trace, Debug, Information, Warning, Error or Critical", "Minimum log level."),
        new(LogFormat, "json", "json or text", "Log line format."),
        new(OtlpEndpoint, "", "empty or an http(s) URL", "OpenTelemetry collector (OTLP) for the agent's traces and metrics; empty disables export. The other standard OTEL_* variables apply (protocol, headers, service name, resource attributes). Metrics are served at /metrics either way."),
    ];

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
