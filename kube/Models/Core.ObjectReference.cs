using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>
/// v1 ObjectReference: points at any object, optionally at a field inside it (an Event's
/// involvedObject, an EndpointSlice endpoint's targetRef, a Binding's target).
/// </summary>
public sealed class ObjectReference : KubeModel
{
    [JsonPropertyName("apiVersion")] public string? ApiVersion { get; set; }
    [JsonPropertyName("kind")] public string? Kind { get; set; }
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("uid")] public string? Uid { get; set; }
    [JsonPropertyName("resourceVersion")] public string? ResourceVersion { get; set; }
    [JsonPropertyName("fieldPath")] public string? FieldPath { get; set; }
}

/// <summary>v1 LocalObjectReference: a name in the referrer's own namespace (imagePullSecrets).</summary>
public sealed class LocalObjectReference : KubeModel
{
    [JsonPropertyName("name")] public string? Name { get; set; }
}
