using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>v1 Pod.</summary>
public sealed class Pod : KubeObject
{
    [JsonPropertyName("spec")] public PodSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public PodStatus? Status { get; set; }
}

/// <summary>
/// v1 PodTemplateSpec: the pod a workload (StatefulSet, a DataCluster) stamps out. The server
/// writes <c>"creationTimestamp": null</c> into the template's metadata; that reads as null.
/// </summary>
public sealed class PodTemplateSpec : KubeModel
{
    [JsonPropertyName("metadata")] public ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public PodSpec Spec { get; set; } = new();
}

/// <summary>
/// v1 PodSpec, with the fields an operator sets when it builds workloads. Fields not declared here
/// (hostAliases, dnsConfig, ephemeralContainers, ...) are kept in <see cref="KubeModel.ExtensionData"/>.
/// </summary>
public sealed class PodSpec : KubeModel
{
    [JsonPropertyName("volumes")] public List<Volume>? Volumes { get; set; }
    [JsonPropertyName("initContainers")] public List<Container>? InitContainers { get; set; }
    [JsonPropertyName("containers")] public List<Container> Containers { get; set; } = [];
    [JsonPropertyName("restartPolicy")] public string? RestartPolicy { get; set; }
    [JsonPropertyName("terminationGracePeriodSeconds")] public long? TerminationGracePeriodSeconds { get; set; }
    [JsonPropertyName("activeDeadlineSeconds")] public long? ActiveDeadlineSeconds { get; set; }
    [JsonPropertyName("dnsPolicy")] public string? DnsPolicy { get; set; }
    [JsonPropertyName("nodeSelector")] public Dictionary<string, string>? NodeSelector { get; set; }
    [JsonPropertyName("serviceAccountName")] public string? ServiceAccountName { get; set; }
    [JsonPropertyName("automountServiceAccountToken")] public bool? AutomountServiceAccountToken { get; set; }
    [JsonPropertyName("nodeName")] public string? NodeName { get; set; }
    [JsonPropertyName("hostNetwork")] public bool? HostNetwork { get; set; }
    [JsonPropertyName("shareProcessNamespace")] public bool? ShareProcessNamespace { get; set; }
    [JsonPropertyName("securityContext")] public PodSecurityContext? SecurityContext { get; set; }
    [JsonPropertyName("imagePullSecrets")] public List<LocalObjectReference>? ImagePullSecrets { get; set; }
    [JsonPropertyName("hostname")] public string? Hostname { get; set; }
    [JsonPropertyName("subdomain")] public string? Subdomain { get; set; }
    [JsonPropertyName("affinity")] public Affinity? Affinity { get; set; }
    [JsonPropertyName("schedulerName")] public string? SchedulerName { get; set; }
    [JsonPropertyName("tolerations")] public List<Toleration>? Tolerations { get; set; }
    [JsonPropertyName("priorityClassName")] public string? PriorityClassName { get; set; }
    [JsonPropertyName("priority")] public int? Priority { get; set; }
    [JsonPropertyName("readinessGates")] public List<PodReadinessGate>? ReadinessGates { get; set; }
    [JsonPropertyName("runtimeClassName")] public string? RuntimeClassName { get; set; }
    [JsonPropertyName("enableServiceLinks")] public bool? EnableServiceLinks { get; set; }
    [JsonPropertyName("preemptionPolicy")] public string? PreemptionPolicy { get; set; }
    [JsonPropertyName("topologySpreadConstraints")] public List<TopologySpreadConstraint>? TopologySpreadConstraints { get; set; }
    [JsonPropertyName("setHostnameAsFQDN")] public bool? SetHostnameAsFqdn { get; set; }
}

/// <summary>v1 PodReadinessGate: an extra pod condition that must be True for the pod to be Ready.</summary>
public sealed class PodReadinessGate : KubeModel
{
    [JsonPropertyName("conditionType")] public string ConditionType { get; set; } = "";
}

/// <summary>v1 PodSecurityContext: defaults for every container of the pod plus pod-only settings (fsGroup, sysctls).</summary>
public sealed class PodSecurityContext : KubeModel
{
    [JsonPropertyName("runAsUser")] public long? RunAsUser { get; set; }
    [JsonPropertyName("runAsGroup")] public long? RunAsGroup { get; set; }
    [JsonPropertyName("runAsNonRoot")] public bool? RunAsNonRoot { get; set; }
    [JsonPropertyName("supplementalGroups")] public List<long>? SupplementalGroups { get; set; }
    [JsonPropertyName("fsGroup")] public long? FsGroup { get; set; }
    [JsonPropertyName("fsGroupChangePolicy")] public string? FsGroupChangePolicy { get; set; }
    [JsonPropertyName("sysctls")] public List<Sysctl>? Sysctls { get; set; }
    [JsonPropertyName("seccompProfile")] public SeccompProfile? SeccompProfile { get; set; }
}

/// <summary>v1 SeccompProfile. Type is RuntimeDefault, Unconfined or Localhost (with <see cref="LocalhostProfile"/>).</summary>
public sealed class SeccompProfile : KubeModel
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("localhostProfile")] public string? LocalhostProfile { get; set; }
}

public sealed class Sysctl : KubeModel
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("value")] public string Value { get; set; } = "";
}
