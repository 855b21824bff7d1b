using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>rbac.authorization.k8s.io/v1 Role: permissions within one namespace.</summary>
public sealed class Role : KubeObject
{
    [JsonPropertyName("rules")] public List<PolicyRule>? Rules { get; set; }
}

/// <summary>
/// rbac.authorization.k8s.io/v1 ClusterRole: permissions cluster-wide, or in a namespace when a
/// RoleBinding refers to it. With an <see cref="AggregationRule"/> the controller manager owns
/// <see cref="Rules"/>.
/// </summary>
public sealed class ClusterRole : KubeObject
{
    [JsonPropertyName("rules")] public List<PolicyRule>? Rules { get; set; }
    [JsonPropertyName("aggregationRule")] public AggregationRule? AggregationRule { get; set; }
}

public sealed class AggregationRule : KubeModel
{
    [JsonPropertyName("clusterRoleSelectors")] public List<LabelSelector>? ClusterRoleSelectors { get; set; }
}

/// <summary>
/// rbac.authorization.k8s.io/v1 PolicyRule. The core API group is "". Either resources (with
/// apiGroups) or nonResourceURLs, the latter only in ClusterRoles.
/// </summary>
public sealed class PolicyRule : KubeModel
{
    [JsonPropertyName("verbs")] public List<string> Verbs { get; set; } = [];
    [JsonPropertyName("apiGroups")] public List<string>? ApiGroups { get; set; }
    /// <summary>Plural resource names; "pods/binding" names a subresource.</summary>
    [JsonPropertyName("resources")] public List<string>? Resources { get; set; }
    /// <summary>Restricts the rule to these object names. A create cannot be restricted this way: the name is not known yet.</summary>
    [JsonPropertyName("resourceNames")] public List<string>? ResourceNames { get; set; }
    [JsonPropertyName("nonResourceURLs")] public List<string>? NonResourceUrls { get; set; }
}

/// <summary>rbac.authorization.k8s.io/v1 RoleBinding: grants a Role or ClusterRole within its namespace.</summary>
public sealed class RoleBinding : KubeObject
{
    [JsonPropertyName("subjects")] public List<Subject>? Subjects { get; set; }
    /// <summary>Immutable: to point a binding elsewhere, delete and recreate it.</summary>
    [JsonPropertyName("roleRef")] public RoleRef RoleRef { get; set; } = new();
}

/// <summary>rbac.authorization.k8s.io/v1 ClusterRoleBinding: grants a ClusterRole cluster-wide.</summary>
public sealed class ClusterRoleBinding : KubeObject
{
    [JsonPropertyName("subjects")] public List<Subject>? Subjects { get; set; }
    [JsonPropertyName("roleRef")] public RoleRef RoleRef { get; set; } = new();
}

/// <summary>rbac.authorization.k8s.io/v1 RoleRef. Kind is Role or ClusterRole.</summary>
public sealed class RoleRef : KubeModel
{
    [JsonPropertyName("apiGroup")] public string ApiGroup { get; set; } = "rbac.authorization.k8s.io";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("name")] public string Name { get; set; } = "";
}

/// <summary>
/// rbac.authorization.k8s.io/v1 Subject. Kind is ServiceAccount (apiGroup "", with namespace),
/// User or Group (apiGroup "rbac.authorization.k8s.io").
/// </summary>
public sealed class Subject : KubeModel
{
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("apiGroup")] public string? ApiGroup { get; set; }
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
}
