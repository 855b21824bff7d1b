namespace DataCluster.Agent.Http;

/// <summary>Every error: a machine-readable code and a sentence for humans.</summary>
public sealed record ErrorBody(string Error, string Message);

/// <summary>A member as a client reaches it.</summary>
/// <param name="Id">The member id (pod name).</param>
/// <param name="Address">host:port of its client API, or null when the ring lists no address.</param>
public sealed record OwnerRef(string Id, string? Address);

/// <summary>GET /v1/ring.</summary>
public sealed record RingResponse(
    long Epoch,
    long? MembershipEpoch,
    int Partitions,
    int ReplicationFactor,
    IReadOnlyList<RingMemberInfo> Members,
    string? Leader);

/// <summary>One member in <see cref="RingResponse"/>.</summary>
/// <param name="State">
/// active (in the ring and holds replicas); standby (in the ring EndpointSlice but holds no
/// replica: it has just joined, or the leader left it out because its member Lease lapsed, as
/// after a crash); draining (being emptied before removal); or absent (holds replicas but is no
/// longer in the ring EndpointSlice).
/// </param>
public sealed record RingMemberInfo(string Id, int Ordinal, string? Address, string Zone, string Region, string State, int Replicas, int Leads);

/// <summary>GET /v1/owners/{key}.</summary>
public sealed record OwnersResponse(string Key, int Partition, long Epoch, OwnerRef? Leader, IReadOnlyList<OwnerRef> Replicas);

/// <summary>GET /v1/partitions/{p}/owners.</summary>
public sealed record PartitionOwnersResponse(int Partition, long Epoch, OwnerRef? Leader, IReadOnlyList<OwnerRef> Replicas);

/// <summary>GET /v1/leader.</summary>
/// <param name="Leader">The cluster leader's pod name, or null when none is known.</param>
/// <param name="Self">This agent's pod name.</param>
/// <param name="IsLeader">Whether this agent is the cluster leader.</param>
/// <param name="LeaseTransitions">The leader Lease's leaseTransitions as last read.</param>
public sealed record LeaderResponse(string? Leader, string Self, bool IsLeader, int? LeaseTransitions);

/// <summary>GET /v1/assignments: what this agent holds, and what its data plane does for each partition.</summary>
public sealed record AssignmentsResponse(string Member, long Epoch, IReadOnlyList<int> Replicas, IReadOnlyList<int> Leads, IReadOnlyList<PartitionStateResponse> Partitions);

/// <summary>One partition as this member's data plane sees it.</summary>
/// <param name="State"><c>leading</c>, <c>syncing</c>, <c>following</c>, <c>damaged</c>,
/// <c>substitute</c> (this member keeps a down replica's copy for the partition's leader until it
/// is back) or <c>none</c>.</param>
/// <param name="Epoch">The partition epoch this member promised or leads.</param>
/// <param name="LogEnd">One past the last record it holds.</param>
/// <param name="CommitOffset">Every record below it is known committed here.</param>
/// <param name="ConsumedOffset">Every data record below it was consumed by the app, as this member knows it (the leader's is the one delivery goes by).</param>
/// <param name="Lag">Committed records not consumed yet: <paramref name="CommitOffset"/> minus <paramref name="ConsumedOffset"/>.</param>
/// <param name="Substitutes">On the partition's leader, the stand-ins in place for down replicas; empty otherwise.</param>
public sealed record PartitionStateResponse(int Partition, string State, long Epoch, long LogEnd, long CommitOffset, long ConsumedOffset, long Lag, IReadOnlyList<SubstituteResponse> Substitutes);

/// <summary>A stand-in a partition leader has in place.</summary>
/// <param name="Member">The member holding the copy.</param>
/// <param name="StandsInFor">The down replica whose copy it holds.</param>
/// <param name="MatchedOffset">Every record below it is on the stand-in.</param>
public sealed record SubstituteResponse(string Member, string StandsInFor, long MatchedOffset);

/// <summary>The data of one server-sent assignment event.</summary>
public sealed record AssignmentEventData(long Epoch, IReadOnlyList<int> Partitions);

/// <summary>GET /healthz.</summary>
public sealed record HealthResponse(string Status);

/// <summary>GET /readyz.</summary>
/// <param name="Ready">True when the member Lease is held and an assignment is loaded.</param>
/// <param name="Reason">Why not, when not ready.</param>
/// <param name="Epoch">The loaded assignment epoch, 0 when none.</param>
public sealed record ReadyResponse(bool Ready, string? Reason, long Epoch);
