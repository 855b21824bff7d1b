using System.Text.Json.Serialization;

namespace DataCluster.Agent.Http;

/// <summary>Source-generated JSON for every body the agent's HTTP API sends (no reflection, trim-safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(RingResponse))]
[JsonSerializable(typeof(OwnersResponse))]
[JsonSerializable(typeof(PartitionOwnersResponse))]
[JsonSerializable(typeof(LeaderResponse))]
[JsonSerializable(typeof(AssignmentsResponse))]
[JsonSerializable(typeof(AssignmentEventData))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ReadyResponse))]
[JsonSerializable(typeof(WriteResponse))]
[JsonSerializable(typeof(EventsResponse))]
[JsonSerializable(typeof(MisdirectedBody))]
[JsonSerializable(typeof(DeliveryBody))]
[JsonSerializable(typeof(ConsumedRequest))]
[JsonSerializable(typeof(ConsumedResponse))]
public sealed partial class AgentJsonContext : JsonSerializerContext;
