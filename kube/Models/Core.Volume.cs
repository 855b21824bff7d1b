using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>
/// v1 Volume: a name plus exactly one source. Sources not declared here (csi, nfs, ephemeral, ...)
/// are kept in <see cref="KubeModel.ExtensionData"/>.
/// </summary>
public sealed class Volume : KubeModel
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("secret")] public SecretVolumeSource? Secret { get; set; }
    [JsonPropertyName("configMap")] public ConfigMapVolumeSource? ConfigMap { get; set; }
    [JsonPropertyName("emptyDir")] public EmptyDirVolumeSource? EmptyDir { get; set; }
    [JsonPropertyName("persistentVolumeClaim")] public PersistentVolumeClaimVolumeSource? PersistentVolumeClaim { get; set; }
    [JsonPropertyName("projected")] public ProjectedVolumeSource? Projected { get; set; }
    [JsonPropertyName("downwardAPI")] public DownwardApiVolumeSource? DownwardApi { get; set; }
    [JsonPropertyName("hostPath")] public HostPathVolumeSource? HostPath { get; set; }
}

/// <summary>v1 SecretVolumeSource. Modes are octal permission bits written as decimal numbers (0644 is 420).</summary>
public sealed class SecretVolumeSource : KubeModel
{
    [JsonPropertyName("secretName")] public string? SecretName { get; set; }
    [JsonPropertyName("items")] public List<KeyToPath>? Items { get; set; }
    [JsonPropertyName("defaultMode")] public int? DefaultMode { get; set; }
    [JsonPropertyName("optional")] public bool? Optional { get; set; }
}

/// <summary>v1 ConfigMapVolumeSource. Unlike the secret source, the ConfigMap is named by <c>name</c>.</summary>
public sealed class ConfigMapVolumeSource : KubeModel
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("items")] public List<KeyToPath>? Items { get; set; }
    [JsonPropertyName("defaultMode")] public int? DefaultMode { get; set; }
    [JsonPropertyName("optional")] public bool? Optional { get; set; }
}

public sealed class KeyToPath : KubeModel
{
    [JsonPropertyName("key")] public string Key { get; set; } = "";
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    [JsonPropertyName("mode")] public int? Mode { get; set; }
}

/// <summary>v1 EmptyDirVolumeSource. Medium "" is node disk, "Memory" is tmpfs.</summary>
public sealed class EmptyDirVolumeSource : KubeModel
{
    [JsonPropertyName("medium")] public string? Medium { get; set; }
    [JsonPropertyName("sizeLimit")][JsonConverter(typeof(QuantityConverter))] public string? SizeLimit { get; set; }
}

public sealed class PersistentVolumeClaimVolumeSource : KubeModel
{
    [JsonPropertyName("claimName")] public string ClaimName { get; set; } = "";
    [JsonPropertyName("readOnly")] public bool? ReadOnly { get; set; }
}

public sealed class HostPathVolumeSource : KubeModel
{
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    [JsonPropertyName("type")] public string? Type { get; set; }
}

/// <summary>v1 ProjectedVolumeSource: several sources merged into one directory.</summary>
public sealed class ProjectedVolumeSource : KubeModel
{
    [JsonPropertyName("sources")] public List<VolumeProjection>? Sources { get; set; }
    [JsonPropertyName("defaultMode")] public int? DefaultMode { get; set; }
}

/// <summary>v1 VolumeProjection: exactly one source.</summary>
public sealed class VolumeProjection : KubeModel
{
    [JsonPropertyName("secret")] public SecretProjection? Secret { get; set; }
    [JsonPropertyName("configMap")] public ConfigMapProjection? ConfigMap { get; set; }
    [JsonPropertyName("downwardAPI")] public DownwardApiProjection? DownwardApi { get; set; }
    [JsonPropertyName("serviceAccountToken")] public ServiceAccountTokenProjection? ServiceAccountToken { get; set; }
}

public sealed class SecretProjection : KubeModel
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("items")] public List<KeyToPath>? Items { get; set; }
    [JsonPropertyName("optional")] public bool? Optional { get; set; }
}

public sealed class ConfigMapProjection : KubeModel
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("items")] public List<KeyToPath>? Items { get; set; }
    [JsonPropertyName("optional")] public bool? Optional { get; set; }
}

public sealed class DownwardApiProjection : KubeModel
{
    [JsonPropertyName("items")] public List<DownwardApiVolumeFile>? Items { get; set; }
}

/// <summary>v1 ServiceAccountTokenProjection: a bound, expiring token for <see cref="Audience"/> (the API server when empty).</summary>
public sealed class ServiceAccountTokenProjection : KubeModel
{
    [JsonPropertyName("audience")] public string? Audience { get; set; }
    [JsonPropertyName("expirationSeconds")] public long? ExpirationSeconds { get; set; }
    [JsonPropertyName("path")] public string Path { get; set; } = "";
}

public sealed class DownwardApiVolumeSource : KubeModel
{
    [JsonPropertyName("items")] public List<DownwardApiVolumeFile>? Items { get; set; }
    [JsonPropertyName("defaultMode")] public int? DefaultMode { get; set; }
}

/// <summary>v1 DownwardAPIVolumeFile: one file holding a pod field or a container resource.</summary>
public sealed class DownwardApiVolumeFile : KubeModel
{
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    [JsonPropertyName("fieldRef")] public ObjectFieldSelector? FieldRef { get; set; }
    [JsonPropertyName("resourceFieldRef")] public ResourceFieldSelector? ResourceFieldRef { get; set; }
    [JsonPropertyName("mode")] public int? Mode { get; set; }
}
