using System.Text.Json.Serialization;

namespace DataCluster.Client.Wire;

// The agent's JSON bodies as the client reads them (agent/README.md, "HTTP API"). Unknown
// fields are ignored, so a newer agent that adds some does not break an older client.

internal sealed record RingBody(long Epoch, long? MembershipEpoch, int Partitions, int ReplicationFactor, IReadOnlyList<RingMemberBody> Members, string? Leader);

internal sealed record RingMemberBody(string Id, int Ordinal, string? Address, string? Zone, string? Region, string? State, int Replicas, int Leads);

internal sealed record AssignmentsBody(string Member, long Epoch, IReadOnlyList<int> Replicas, IReadOnlyList<int> Leads);

internal sealed record AssignmentEventBody(long Epoch, IReadOnlyList<int> Partitions);

internal sealed record WriteBody(int Partition, long Epoch, long Offset, string CommitLevel, bool Duplicate);

internal sealed record EventBody(long Offset, long Epoch, string Key, long Timestamp, string? ContentType, byte[]? Body);

/// <summary>A page of events; <c>consumedOffset</c> is the answering member's copy of the partition's consumed offset (null from an agent that does not send it).</summary>
internal sealed record EventsBody(int Partition, string? Member, long CommitOffset, long StartOffset, long NextAfter, IReadOnlyList<EventBody> Events, long? ConsumedOffset = null);

/// <summary>The body of <c>POST /v1/partitions/{p}/consumed</c>: every event below <c>offset</c> was consumed.</summary>
internal sealed record ConsumedRequestBody(long Offset);

internal sealed record ConsumedBody(int Partition, long ConsumedOffset, long CommitOffset, bool Advanced);

internal sealed record OwnerBody(string Id, string? Address);

/// <summary>Every error is <c>{error, message}</c>; a 421 adds the partition and its leader.</summary>
internal sealed record ErrorBody(string? Error, string? Message, int? Partition, OwnerBody? Leader);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RingBody))]
[JsonSerializable(typeof(AssignmentsBody))]
[JsonSerializable(typeof(AssignmentEventBody))]
[JsonSerializable(typeof(WriteBody))]
[JsonSerializable(typeof(EventsBody))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(ConsumedRequestBody))]
[JsonSerializable(typeof(ConsumedBody))]
internal sealed partial class WireJsonContext : JsonSerializerContext;
