using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>apps/v1 StatefulSet.</summary>
public sealed class StatefulSet : KubeObject
{
    [JsonPropertyName("spec")] public StatefulSetSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public StatefulSetStatus? Status { get; set; }
}

/// <summary>
/// apps/v1 StatefulSetSpec. After creation only replicas, template and updateStrategy can change
/// (newer servers also allow minReadySeconds, persistentVolumeClaimRetentionPolicy and
/// ordinals); any other change is rejected, so a new selector or claim template means a new
/// StatefulSet.
/// </summary>
public sealed class StatefulSetSpec : KubeModel
{
    [JsonPropertyName("replicas")] public int? Replicas { get; set; }
    /// <summary>Must match the template's labels.</summary>
    [JsonPropertyName("selector")] public LabelSelector Selector { get; set; } = new();
    [JsonPropertyName("template")] public PodTemplateSpec Template { get; set; } = new();
    [JsonPropertyName("volumeClaimTemplates")] public List<PersistentVolumeClaim>? VolumeClaimTemplates { get; set; }
    /// <summary>The headless Service that gives pods their DNS names (POD.SERVICE.NAMESPACE.svc). Required by older servers.</summary>
    [JsonPropertyName("serviceName")] public string? ServiceName { get; set; }
    /// <summary>OrderedReady (default) or Parallel.</summary>
    [JsonPropertyName("podManagementPolicy")] public string? PodManagementPolicy { get; set; }
    [JsonPropertyName("updateStrategy")] public StatefulSetUpdateStrategy? UpdateStrategy { get; set; }
    [JsonPropertyName("revisionHistoryLimit")] public int? RevisionHistoryLimit { get; set; }
    [JsonPropertyName("minReadySeconds")] public int? MinReadySeconds { get; set; }
    [JsonPropertyName("persistentVolumeClaimRetentionPolicy")] public StatefulSetPersistentVolumeClaimRetentionPolicy? PersistentVolumeClaimRetentionPolicy { get; set; }
    [JsonPropertyName("ordinals")] public StatefulSetOrdinals? Ordinals { get; set; }
}

/// <summary>apps/v1 StatefulSetUpdateStrategy. Type is RollingUpdate (default) or OnDelete.</summary>
public sealed class StatefulSetUpdateStrategy : KubeModel
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("rollingUpdate")] public RollingUpdateStatefulSetStrategy? RollingUpdate { get; set; }
}

/// <summary>
/// apps/v1 RollingUpdateStatefulSetStrategy. Only pods with an ordinal at or above
/// <see cref="Partition"/> are updated, which lets an operator roll one member at a time.
/// </summary>
public sealed class RollingUpdateStatefulSetStrategy : KubeModel
{
    [JsonPropertyName("partition")] public int? Partition { get; set; }
    /// <summary>Number or percentage; needs the MaxUnavailableStatefulSet feature (alpha since 1.24).</summary>
    [JsonPropertyName("maxUnavailable")] public IntOrString? MaxUnavailable { get; set; }
}

/// <summary>apps/v1 policy for the PVCs of volumeClaimTemplates: Retain (default) or Delete.</summary>
public sealed class StatefulSetPersistentVolumeClaimRetentionPolicy : KubeModel
{
    [JsonPropertyName("whenDeleted")] public string? WhenDeleted { get; set; }
    [JsonPropertyName("whenScaled")] public string? WhenScaled { get; set; }
}

public sealed class StatefulSetOrdinals : KubeModel
{
    [JsonPropertyName("start")] public int? Start { get; set; }
}

/// <summary>
/// apps/v1 StatefulSetStatus. Compare <see cref="ObservedGeneration"/> with metadata.generation
/// before trusting the counts: they describe the spec the controller last saw.
/// </summary>
public sealed class StatefulSetStatus : KubeModel
{
    [JsonPropertyName("observedGeneration")] public long? ObservedGeneration { get; set; }
    [JsonPropertyName("replicas")] public int Replicas { get; set; }
    [JsonPropertyName("readyReplicas")] public int? ReadyReplicas { get; set; }
    [JsonPropertyName("currentReplicas")] public int? CurrentReplicas { get; set; }
    [JsonPropertyName("updatedReplicas")] public int? UpdatedReplicas { get; set; }
    [JsonPropertyName("availableReplicas")] public int? AvailableReplicas { get; set; }
    [JsonPropertyName("currentRevision")] public string? CurrentRevision { get; set; }
    [JsonPropertyName("updateRevision")] public string? UpdateRevision { get; set; }
    [JsonPropertyName("collisionCount")] public int? CollisionCount { get; set; }
    /// <summary>apps/v1 StatefulSetCondition has the fields of <see cref="Condition"/> except observedGeneration.</summary>
    [JsonPropertyName("conditions")] public List<Condition>? Conditions { get; set; }
}
