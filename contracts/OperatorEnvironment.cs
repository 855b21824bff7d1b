namespace DataCluster.Contracts;

/// <summary>
/// The operator's flags and their environment variables: the single source for the operator's
/// parser and --help (operator/Hosting/OperatorSettings.cs) and for deployment manifests.
/// </summary>
public static class OperatorEnvironment
{
    public const string Namespaces = "WATCH_NAMESPACES";
    public const string LeaderElect = "DATACLUSTER_LEADER_ELECT";
    public const string LeaderElectionNamespace = "DATACLUSTER_LEADER_ELECTION_NAMESPACE";
    public const string MetricsBindAddress = "DATACLUSTER_METRICS_BIND_ADDRESS";
    public const string HealthProbeBindAddress = "DATACLUSTER_HEALTH_PROBE_BIND_ADDRESS";
    public const string AgentImage = "DATACLUSTER_AGENT_IMAGE";
    public const string LogFormat = "DATACLUSTER_LOG_FORMAT";
    public const string LogLevel = "DATACLUSTER_LOG_LEVEL";
    public const string Kubeconfig = "KUBECONFIG";
    public const string Workers = "DATACLUSTER_WORKERS";

    /// <summary>The pod's name (downward API); the operator's identity in leader election and Events.</summary>
    public const string PodName = "POD_NAME";

    /// <summary>The pod's namespace (downward API); the default namespace of the leader-election Lease.</summary>
    public const string PodNamespace = "POD_NAMESPACE";

    /// <summary>The name of the operator's leader-election Lease.</summary>
    public const string LeaderElectionLeaseName = "datacluster-operator";
}
