using System.Net;

namespace DataCluster.Agent.Configuration;

/// <summary>How replicas must acknowledge a write before the client gets its answer.</summary>
public enum CommitLevel
{
    /// <summary>The partition leader has it durably.</summary>
    One,

    /// <summary>A majority of the partition's replica set has it.</summary>
    Quorum,

    /// <summary>Every replica has it.</summary>
    All,
}

/// <summary>
/// The agent's validated configuration, read once at start from the environment
/// (<see cref="Contracts.AgentEnvironment"/>). Immutable.
/// </summary>
public sealed record AgentOptions
{
    public required string ClusterName { get; init; }

    public required string PodName { get; init; }

    public required string Namespace { get; init; }

    public required IPAddress PodIp { get; init; }

    /// <summary>This member's ordinal, parsed from the pod name.</summary>
    public required int Ordinal { get; init; }

    public string NodeName { get; init; } = "";

    public required IPAddress BindAddress { get; init; }

    public required int ClientPort { get; init; }

    public required int PeerPort { get; init; }

    public required string DataDirectory { get; init; }

    public required string PeerTokenFile { get; init; }

    public required TimeSpan LeaseDuration { get; init; }

    public required TimeSpan RenewInterval { get; init; }

    public required int Partitions { get; init; }

    public required int ReplicationFactor { get; init; }

    public required CommitLevel CommitLevel { get; init; }

    public required int OtherZoneReplicas { get; init; }

    public required int OtherRegionReplicas { get; init; }

    public Uri? AppDeliveryUrl { get; init; }

    public required Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; }

    public required bool JsonLogs { get; init; }

    public Uri? OtlpEndpoint { get; init; }
}
