using System.Diagnostics.Metrics;
using DataCluster.Replication;
using DataCluster.Storage;

namespace DataCluster.Agent.DataPlane;

/// <summary>What the data plane is built from: this member, its log store and the replication settings. Immutable.</summary>
public sealed record DataPlaneOptions
{
    /// <summary>This member's id (its pod name).</summary>
    public required string Self { get; init; }

    /// <summary>The partition logs: directory, segment size, fsync policy, retention.</summary>
    public required LogStoreOptions Store { get; init; }

    /// <summary>The replication state machine's settings.</summary>
    public ReplicationOptions Replication { get; init; } = new();

    /// <summary>
    /// Stand-ins for down replicas (hinted handoff): a partition leader places a down follower's
    /// copy on a member outside the replica set, chosen from these members by these placement
    /// rules. Null turns stand-ins off: writes that need the down replica wait for it.
    /// </summary>
    public SubstituteOptions? Substitutes { get; init; }

    /// <summary>Where the storage library's instruments are created; null = a private meter.</summary>
    public IMeterFactory? MeterFactory { get; init; }
}
