using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>v1 Namespace.</summary>
public sealed class Namespace : KubeObject
{
    [JsonPropertyName("spec")] public NamespaceSpec? Spec { get; set; }
    [JsonPropertyName("status")] public NamespaceStatus? Status { get; set; }
}

public sealed class NamespaceSpec : KubeModel
{
    [JsonPropertyName("finalizers")] public List<string>? Finalizers { get; set; }
}

public sealed class NamespaceStatus : KubeModel
{
    [JsonPropertyName("phase")] public string? Phase { get; set; }
}

/// <summary>v1 ConfigMap.</summary>
public sealed class ConfigMap : KubeObject
{
    [JsonPropertyName("data")] public Dictionary<string, string>? Data { get; set; }
    [JsonPropertyName("binaryData")] public Dictionary<string, byte[]>? BinaryData { get; set; }
    [JsonPropertyName("immutable")] public bool? Immutable { get; set; }
}

/// <summary>v1 Secret. <see cref="Data"/> values are base64 on the wire and bytes here.</summary>
public sealed class Secret : KubeObject
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("data")] public Dictionary<string, byte[]>? Data { get; set; }
    [JsonPropertyName("stringData")] public Dictionary<string, string>? StringData { get; set; }
    [JsonPropertyName("immutable")] public bool? Immutable { get; set; }
}
