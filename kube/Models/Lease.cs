using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>coordination.k8s.io/v1 Lease.</summary>
public sealed class Lease : KubeObject
{
    [JsonPropertyName("spec")] public LeaseSpec Spec { get; set; } = new();
}

/// <summary>
/// coordination.k8s.io/v1 LeaseSpec. Times are MicroTime on the wire
/// (RFC 3339 with microseconds, e.g. 2024-01-02T03:04:05.123456Z).
/// </summary>
public sealed class LeaseSpec : KubeModel
{
    [JsonPropertyName("holderIdentity")] public string? HolderIdentity { get; set; }
    [JsonPropertyName("leaseDurationSeconds")] public int? LeaseDurationSeconds { get; set; }
    [JsonPropertyName("acquireTime")][JsonConverter(typeof(MicroTimeConverter))] public DateTimeOffset? AcquireTime { get; set; }
    [JsonPropertyName("renewTime")][JsonConverter(typeof(MicroTimeConverter))] public DateTimeOffset? RenewTime { get; set; }
    [JsonPropertyName("leaseTransitions")] public int? LeaseTransitions { get; set; }
}
