using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>
/// policy/v1 PodDisruptionBudget. This is the only model of the kind: servers that serve only
/// policy/v1beta1 (1.20) are handled by <c>KubeResources.PodDisruptionBudgets.WithVersion("v1beta1")</c>.
/// </summary>
/// <remarks>
/// The two versions have the same fields. They differ in one meaning: an empty selector
/// (<c>{}</c>) selects every pod of the namespace in policy/v1 and no pod at all in
/// policy/v1beta1. Always set a non-empty <see cref="PodDisruptionBudgetSpec.Selector"/>.
/// </remarks>
public sealed class PodDisruptionBudget : KubeObject
{
    [JsonPropertyName("spec")] public PodDisruptionBudgetSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public PodDisruptionBudgetStatus? Status { get; set; }
}

/// <summary>policy/v1 PodDisruptionBudgetSpec: set one of <see cref="MinAvailable"/> and <see cref="MaxUnavailable"/>.</summary>
public sealed class PodDisruptionBudgetSpec : KubeModel
{
    /// <summary>A number or a percentage of the selected pods, e.g. 2 or "50%".</summary>
    [JsonPropertyName("minAvailable")] public IntOrString? MinAvailable { get; set; }
    [JsonPropertyName("maxUnavailable")] public IntOrString? MaxUnavailable { get; set; }
    [JsonPropertyName("selector")] public LabelSelector? Selector { get; set; }
    /// <summary>IfHealthyBudget (default) or AlwaysAllow (1.26+; ignored by older servers).</summary>
    [JsonPropertyName("unhealthyPodEvictionPolicy")] public string? UnhealthyPodEvictionPolicy { get; set; }
}

/// <summary>policy/v1 PodDisruptionBudgetStatus.</summary>
public sealed class PodDisruptionBudgetStatus : KubeModel
{
    [JsonPropertyName("observedGeneration")] public long? ObservedGeneration { get; set; }
    /// <summary>Pods being evicted that the controller has not yet seen deleted: pod name to eviction time.</summary>
    [JsonPropertyName("disruptedPods")] public Dictionary<string, DateTimeOffset>? DisruptedPods { get; set; }
    [JsonPropertyName("disruptionsAllowed")] public int DisruptionsAllowed { get; set; }
    [JsonPropertyName("currentHealthy")] public int CurrentHealthy { get; set; }
    [JsonPropertyName("desiredHealthy")] public int DesiredHealthy { get; set; }
    [JsonPropertyName("expectedPods")] public int ExpectedPods { get; set; }
    /// <summary>DisruptionAllowed is the condition the eviction API reports.</summary>
    [JsonPropertyName("conditions")] public List<Condition>? Conditions { get; set; }
}
