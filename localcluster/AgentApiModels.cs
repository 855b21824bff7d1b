using System.Text.Json.Serialization;

namespace DataCluster.LocalCluster;

/// <summary>GET /v1/ring of an agent, as a client reads it.</summary>
public sealed record AgentRing(
    long Epoch,
    long? MembershipEpoch,
    int Partitions,
    int ReplicationFactor,
    IReadOnlyList<AgentRingMember> Members,
    string? Leader);

/// <summary>One member in <see cref="AgentRing"/>; State is active, draining or absent.</summary>
public sealed record AgentRingMember(string Id, int Ordinal, string? Address, string Zone, string Region, string State, int Replicas, int Leads);

/// <summary>A member as a client reaches it.</summary>
public sealed record AgentOwner(string Id, string? Address);

/// <summary>GET /v1/owners/{key}.</summary>
public sealed record AgentOwners(string Key, int Partition, long Epoch, AgentOwner? Leader, IReadOnlyList<AgentOwner> Replicas);

/// <summary>GET /v1/leader.</summary>
public sealed record AgentLeader(string? Leader, string Self, bool IsLeader, int? LeaseTransitions);

/// <summary>GET /readyz.</summary>
public sealed record AgentReadiness(bool Ready, string? Reason, long Epoch);

/// <summary>Source-generated JSON for the agent API's bodies (camelCase, as the agent writes them).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AgentRing))]
[JsonSerializable(typeof(AgentOwners))]
[JsonSerializable(typeof(AgentLeader))]
[JsonSerializable(typeof(AgentReadiness))]
public sealed partial class AgentApiJsonContext : JsonSerializerContext;
