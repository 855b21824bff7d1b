using System.Net;
using DataCluster.Contracts;
using DataCluster.Replication;

namespace DataCluster.Agent.Configuration;

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

    /// <summary>Whether a partition leader places a down replica's copy on a stand-in member (hinted handoff).</summary>
    public bool Substitutes { get; init; } = true;

    public Uri? AppDeliveryUrl { get; init; }

    public required Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; }

    public required bool JsonLogs { get; init; }

    public Uri? OtlpEndpoint { get; init; }

    /// <summary>The largest event body accepted, in bytes.</summary>
    public int MaxEventBytes { get; init; } = Limits.MaxEventBytes.Default;

    /// <summary>When the partition logs are fsynced.</summary>
    public Storage.FsyncPolicy FsyncPolicy { get; init; } = Storage.FsyncPolicy.Always;

    /// <summary>Under <see cref="Storage.FsyncPolicy.Interval"/>, the longest time between fsyncs.</summary>
    public TimeSpan FsyncInterval { get; init; } = TimeSpan.FromMilliseconds(Limits.FsyncIntervalMs.Default);

    /// <summary>How long a write may wait for its commit level before it is answered as timed out.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromMilliseconds(Limits.WriteTimeoutMs.Default);

    /// <summary>Per partition, the log bytes kept before the oldest segments go; null = no size limit.</summary>
    public long? RetentionBytes { get; init; }

    /// <summary>How long records are kept; null = forever.</summary>
    public TimeSpan? RetentionAge { get; init; } = TimeSpan.FromHours(Limits.RetentionHours.Default);

    /// <summary>On SIGTERM, how long the agent may spend handing off its partition leaderships before it stops anyway; zero stops at once.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(Limits.ShutdownGraceSeconds.Default);

    /// <summary>
    /// The Retry-After a refusal suggests when a partition has no leader or is syncing. 1 s is
    /// about the time a partition leader needs to sync after a change of assignment.
    /// </summary>
    public long RetryAfterMs { get; init; } = 1000;
}
