using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>metav1.ObjectMeta.</summary>
public sealed class ObjectMeta : KubeModel
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("generateName")] public string? GenerateName { get; set; }
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
    [JsonPropertyName("uid")] public string? Uid { get; set; }
    [JsonPropertyName("resourceVersion")] public string? ResourceVersion { get; set; }
    [JsonPropertyName("generation")] public long? Generation { get; set; }
    [JsonPropertyName("creationTimestamp")] public DateTimeOffset? CreationTimestamp { get; set; }
    [JsonPropertyName("deletionTimestamp")] public DateTimeOffset? DeletionTimestamp { get; set; }
    [JsonPropertyName("deletionGracePeriodSeconds")] public long? DeletionGracePeriodSeconds { get; set; }
    [JsonPropertyName("labels")] public Dictionary<string, string>? Labels { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    [JsonPropertyName("ownerReferences")] public List<OwnerReference>? OwnerReferences { get; set; }
    [JsonPropertyName("finalizers")] public List<string>? Finalizers { get; set; }
}

/// <summary>metav1.OwnerReference.</summary>
public sealed class OwnerReference : KubeModel
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = "";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("uid")] public string Uid { get; set; } = "";
    [JsonPropertyName("controller")] public bool? Controller { get; set; }
    [JsonPropertyName("blockOwnerDeletion")] public bool? BlockOwnerDeletion { get; set; }
}

/// <summary>metav1.ListMeta.</summary>
public sealed class ListMeta : KubeModel
{
    [JsonPropertyName("resourceVersion")] public string? ResourceVersion { get; set; }
    [JsonPropertyName("continue")] public string? Continue { get; set; }
    [JsonPropertyName("remainingItemCount")] public long? RemainingItemCount { get; set; }
}

/// <summary>metav1.LabelSelector.</summary>
public sealed class LabelSelector : KubeModel
{
    [JsonPropertyName("matchLabels")] public Dictionary<string, string>? MatchLabels { get; set; }
    [JsonPropertyName("matchExpressions")] public List<LabelSelectorRequirement>? MatchExpressions { get; set; }
}

/// <summary>metav1.LabelSelectorRequirement.</summary>
public sealed class LabelSelectorRequirement : KubeModel
{
    [JsonPropertyName("key")] public string Key { get; set; } = "";
    [JsonPropertyName("operator")] public string Operator { get; set; } = "";
    [JsonPropertyName("values")] public List<string>? Values { get; set; }
}

/// <summary>metav1.Condition, the standard status condition.</summary>
public sealed class Condition : KubeModel
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("status")] public string Status { get; set; } = "Unknown";
    [JsonPropertyName("observedGeneration")] public long? ObservedGeneration { get; set; }
    [JsonPropertyName("lastTransitionTime")] public DateTimeOffset? LastTransitionTime { get; set; }
    [JsonPropertyName("reason")] public string? Reason { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
}

/// <summary>A list of objects as the API server returns it (PodList, LeaseList, ...).</summary>
public sealed class KubeList<T> : KubeModel where T : IKubernetesObject
{
    [JsonPropertyName("apiVersion")] public string? ApiVersion { get; set; }
    [JsonPropertyName("kind")] public string? Kind { get; set; }
    [JsonPropertyName("metadata")] public ListMeta Metadata { get; set; } = new();
    [JsonPropertyName("items")] public List<T> Items { get; set; } = [];
}
