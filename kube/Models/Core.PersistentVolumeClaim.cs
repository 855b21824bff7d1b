using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>v1 PersistentVolumeClaim, also the element type of a StatefulSet's volumeClaimTemplates.</summary>
public sealed class PersistentVolumeClaim : KubeObject
{
    [JsonPropertyName("spec")] public PersistentVolumeClaimSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public PersistentVolumeClaimStatus? Status { get; set; }
}

/// <summary>v1 PersistentVolumeClaimSpec. <see cref="Resources"/> needs requests["storage"].</summary>
public sealed class PersistentVolumeClaimSpec : KubeModel
{
    /// <summary>ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod.</summary>
    [JsonPropertyName("accessModes")] public List<string>? AccessModes { get; set; }
    [JsonPropertyName("selector")] public LabelSelector? Selector { get; set; }
    [JsonPropertyName("resources")] public ResourceRequirements? Resources { get; set; }
    [JsonPropertyName("volumeName")] public string? VolumeName { get; set; }
    /// <summary>Null means the cluster's default class; "" means no class (static provisioning only).</summary>
    [JsonPropertyName("storageClassName")] public string? StorageClassName { get; set; }
    /// <summary>Filesystem (default) or Block.</summary>
    [JsonPropertyName("volumeMode")] public string? VolumeMode { get; set; }
}

/// <summary>v1 PersistentVolumeClaimStatus.</summary>
public sealed class PersistentVolumeClaimStatus : KubeModel
{
    /// <summary>Pending, Bound or Lost.</summary>
    [JsonPropertyName("phase")] public string? Phase { get; set; }
    [JsonPropertyName("accessModes")] public List<string>? AccessModes { get; set; }
    [JsonPropertyName("capacity")][JsonConverter(typeof(QuantityMapConverter))] public Dictionary<string, string>? Capacity { get; set; }
    [JsonPropertyName("conditions")] public List<PersistentVolumeClaimCondition>? Conditions { get; set; }
}

/// <summary>v1 PersistentVolumeClaimCondition (Resizing, FileSystemResizePending).</summary>
public sealed class PersistentVolumeClaimCondition : KubeModel
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("status")] public string Status { get; set; } = "Unknown";
    [JsonPropertyName("lastProbeTime")] public DateTimeOffset? LastProbeTime { get; set; }
    [JsonPropertyName("lastTransitionTime")] public DateTimeOffset? LastTransitionTime { get; set; }
    [JsonPropertyName("reason")] public string? Reason { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
}
