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
/// <summary>An acknowledged write: where the event landed and the commit level that was met.</summary>
public sealed record AgentWriteAnswer(int Partition, long Epoch, long Offset, string CommitLevel, bool Duplicate);

/// <summary>What became of a write: 200 with the answer, another status with the error reason, or 0 when no answer came.</summary>
public sealed record AgentWrite(int Status, AgentWriteAnswer? Answer, string? Reason)
{
    public bool Acknowledged => Status == 200 && Answer is not null;
}

/// <summary>One committed event as the agent returns it (the body is base64 in JSON).</summary>
public sealed record AgentEvent(long Offset, long Epoch, string Key, long Timestamp, string? ContentType, byte[] Body);

/// <summary>Committed events of a partition in one member's copy.</summary>
public sealed record AgentEventPage(int Partition, string Member, long CommitOffset, long StartOffset, long NextAfter, IReadOnlyList<AgentEvent> Events);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AgentWriteAnswer))]
[JsonSerializable(typeof(AgentEventPage))]
[JsonSerializable(typeof(AgentRing))]
[JsonSerializable(typeof(AgentOwners))]
[JsonSerializable(typeof(AgentLeader))]
[JsonSerializable(typeof(AgentReadiness))]
public sealed partial class AgentApiJsonContext : JsonSerializerContext;
