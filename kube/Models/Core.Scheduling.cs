using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>v1 Toleration. An empty key with operator Exists tolerates every taint.</summary>
public sealed class Toleration : KubeModel
{
    [JsonPropertyName("key")] public string? Key { get; set; }
    [JsonPropertyName("operator")] public string? Operator { get; set; }
    [JsonPropertyName("value")] public string? Value { get; set; }
    [JsonPropertyName("effect")] public string? Effect { get; set; }
    [JsonPropertyName("tolerationSeconds")] public long? TolerationSeconds { get; set; }
}

/// <summary>v1 TopologySpreadConstraint: how evenly matching pods spread over a topology key.</summary>
public sealed class TopologySpreadConstraint : KubeModel
{
    [JsonPropertyName("maxSkew")] public int MaxSkew { get; set; } = 1;
    [JsonPropertyName("topologyKey")] public string TopologyKey { get; set; } = "";
    /// <summary>DoNotSchedule or ScheduleAnyway.</summary>
    [JsonPropertyName("whenUnsatisfiable")] public string WhenUnsatisfiable { get; set; } = "DoNotSchedule";
    [JsonPropertyName("labelSelector")] public LabelSelector? LabelSelector { get; set; }
    [JsonPropertyName("minDomains")] public int? MinDomains { get; set; }
    [JsonPropertyName("nodeAffinityPolicy")] public string? NodeAffinityPolicy { get; set; }
    [JsonPropertyName("nodeTaintsPolicy")] public string? NodeTaintsPolicy { get; set; }
    [JsonPropertyName("matchLabelKeys")] public List<string>? MatchLabelKeys { get; set; }
}

/// <summary>v1 Affinity: node affinity and pod (anti-)affinity scheduling rules.</summary>
public sealed class Affinity : KubeModel
{
    [JsonPropertyName("nodeAffinity")] public NodeAffinity? NodeAffinity { get; set; }
    [JsonPropertyName("podAffinity")] public PodAffinity? PodAffinity { get; set; }
    [JsonPropertyName("podAntiAffinity")] public PodAffinity? PodAntiAffinity { get; set; }
}

public sealed class NodeAffinity : KubeModel
{
    [JsonPropertyName("requiredDuringSchedulingIgnoredDuringExecution")] public NodeSelector? RequiredDuringSchedulingIgnoredDuringExecution { get; set; }
    [JsonPropertyName("preferredDuringSchedulingIgnoredDuringExecution")] public List<PreferredSchedulingTerm>? PreferredDuringSchedulingIgnoredDuringExecution { get; set; }
}

/// <summary>v1 NodeSelector: the terms are ORed.</summary>
public sealed class NodeSelector : KubeModel
{
    [JsonPropertyName("nodeSelectorTerms")] public List<NodeSelectorTerm> NodeSelectorTerms { get; set; } = [];
}

/// <summary>v1 NodeSelectorTerm: the requirements are ANDed.</summary>
public sealed class NodeSelectorTerm : KubeModel
{
    [JsonPropertyName("matchExpressions")] public List<NodeSelectorRequirement>? MatchExpressions { get; set; }
    [JsonPropertyName("matchFields")] public List<NodeSelectorRequirement>? MatchFields { get; set; }
}

/// <summary>v1 NodeSelectorRequirement. Operator is In, NotIn, Exists, DoesNotExist, Gt or Lt.</summary>
public sealed class NodeSelectorRequirement : KubeModel
{
    [JsonPropertyName("key")] public string Key { get; set; } = "";
    [JsonPropertyName("operator")] public string Operator { get; set; } = "";
    [JsonPropertyName("values")] public List<string>? Values { get; set; }
}

public sealed class PreferredSchedulingTerm : KubeModel
{
    [JsonPropertyName("weight")] public int Weight { get; set; }
    [JsonPropertyName("preference")] public NodeSelectorTerm Preference { get; set; } = new();
}

/// <summary>v1 PodAffinity and v1 PodAntiAffinity, which have the same shape.</summary>
public sealed class PodAffinity : KubeModel
{
    [JsonPropertyName("requiredDuringSchedulingIgnoredDuringExecution")] public List<PodAffinityTerm>? RequiredDuringSchedulingIgnoredDuringExecution { get; set; }
    [JsonPropertyName("preferredDuringSchedulingIgnoredDuringExecution")] public List<WeightedPodAffinityTerm>? PreferredDuringSchedulingIgnoredDuringExecution { get; set; }
}

public sealed class PodAffinityTerm : KubeModel
{
    [JsonPropertyName("labelSelector")] public LabelSelector? LabelSelector { get; set; }
    [JsonPropertyName("namespaces")] public List<string>? Namespaces { get; set; }
    [JsonPropertyName("namespaceSelector")] public LabelSelector? NamespaceSelector { get; set; }
    [JsonPropertyName("topologyKey")] public string TopologyKey { get; set; } = "";
    [JsonPropertyName("matchLabelKeys")] public List<string>? MatchLabelKeys { get; set; }
    [JsonPropertyName("mismatchLabelKeys")] public List<string>? MismatchLabelKeys { get; set; }
}

public sealed class WeightedPodAffinityTerm : KubeModel
{
    [JsonPropertyName("weight")] public int Weight { get; set; }
    [JsonPropertyName("podAffinityTerm")] public PodAffinityTerm PodAffinityTerm { get; set; } = new();
}
