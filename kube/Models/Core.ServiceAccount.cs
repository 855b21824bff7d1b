using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>v1 ServiceAccount.</summary>
public sealed class ServiceAccount : KubeObject
{
    /// <summary>Legacy token Secrets. Since 1.24 none are created automatically; pods get projected tokens instead.</summary>
    [JsonPropertyName("secrets")] public List<ObjectReference>? Secrets { get; set; }
    [JsonPropertyName("imagePullSecrets")] public List<LocalObjectReference>? ImagePullSecrets { get; set; }
    /// <summary>Default for pods using this account; a pod's own setting wins.</summary>
    [JsonPropertyName("automountServiceAccountToken")] public bool? AutomountServiceAccountToken { get; set; }
}
