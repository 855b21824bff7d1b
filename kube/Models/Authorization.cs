using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>
/// authorization.k8s.io/v1 SubjectAccessReview: asks "may this user do this?". Cluster-scoped and
/// create-only: the answer comes back in <see cref="Status"/> of the create response and nothing
/// is stored, so it cannot be read, listed or watched.
/// </summary>
public sealed class SubjectAccessReview : KubeObject
{
    [JsonPropertyName("spec")] public SubjectAccessReviewSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public SubjectAccessReviewStatus? Status { get; set; }
}

/// <summary>Set exactly one of <see cref="ResourceAttributes"/> and <see cref="NonResourceAttributes"/>, and a user or groups.</summary>
public sealed class SubjectAccessReviewSpec : KubeModel
{
    [JsonPropertyName("resourceAttributes")] public ResourceAttributes? ResourceAttributes { get; set; }
    [JsonPropertyName("nonResourceAttributes")] public NonResourceAttributes? NonResourceAttributes { get; set; }
    /// <summary>A service account is "system:serviceaccount:NAMESPACE:NAME".</summary>
    [JsonPropertyName("user")] public string? User { get; set; }
    [JsonPropertyName("groups")] public List<string>? Groups { get; set; }
    [JsonPropertyName("extra")] public Dictionary<string, List<string>>? Extra { get; set; }
    [JsonPropertyName("uid")] public string? Uid { get; set; }
}

/// <summary>authorization.k8s.io/v1 ResourceAttributes. "*" means all for every field.</summary>
public sealed class ResourceAttributes : KubeModel
{
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
    [JsonPropertyName("verb")] public string? Verb { get; set; }
    [JsonPropertyName("group")] public string? Group { get; set; }
    [JsonPropertyName("version")] public string? Version { get; set; }
    [JsonPropertyName("resource")] public string? Resource { get; set; }
    [JsonPropertyName("subresource")] public string? Subresource { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
}

public sealed class NonResourceAttributes : KubeModel
{
    [JsonPropertyName("path")] public string? Path { get; set; }
    [JsonPropertyName("verb")] public string? Verb { get; set; }
}

/// <summary>
/// authorization.k8s.io/v1 SubjectAccessReviewStatus. <see cref="Denied"/> true means an
/// authorizer denied outright; allowed false with denied false means no authorizer had an opinion.
/// </summary>
public sealed class SubjectAccessReviewStatus : KubeModel
{
    [JsonPropertyName("allowed")] public bool Allowed { get; set; }
    [JsonPropertyName("denied")] public bool? Denied { get; set; }
    [JsonPropertyName("reason")] public string? Reason { get; set; }
    [JsonPropertyName("evaluationError")] public string? EvaluationError { get; set; }
}
