using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>
/// An object the API server stores: it has an apiVersion, a kind and metadata.
/// </summary>
public interface IKubernetesObject
{
    string? ApiVersion { get; set; }

    string? Kind { get; set; }

    ObjectMeta Metadata { get; set; }
}

/// <summary>
/// Base class for typed models. Fields the model does not declare are kept in
/// <see cref="ExtensionData"/> so a read-modify-write never drops what a newer server or
/// another writer added.
/// </summary>
public abstract class KubeObject : IKubernetesObject
{
    [JsonPropertyName("apiVersion")]
    [JsonPropertyOrder(-3)]
    public string? ApiVersion { get; set; }

    [JsonPropertyName("kind")]
    [JsonPropertyOrder(-2)]
    public string? Kind { get; set; }

    [JsonPropertyName("metadata")]
    [JsonPropertyOrder(-1)]
    public ObjectMeta Metadata { get; set; } = new();

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

/// <summary>Base class for nested model types: keeps unknown fields like <see cref="KubeObject"/>.</summary>
public abstract class KubeModel
{
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}
