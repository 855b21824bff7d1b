using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>v1 Node (cluster-scoped).</summary>
public sealed class Node : KubeObject
{
    [JsonPropertyName("spec")] public NodeSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public NodeStatus? Status { get; set; }
}

public sealed class NodeSpec : KubeModel
{
    [JsonPropertyName("podCIDR")] public string? PodCidr { get; set; }
    [JsonPropertyName("podCIDRs")] public List<string>? PodCidrs { get; set; }
    [JsonPropertyName("providerID")] public string? ProviderId { get; set; }
    [JsonPropertyName("unschedulable")] public bool? Unschedulable { get; set; }
    [JsonPropertyName("taints")] public List<Taint>? Taints { get; set; }
}

/// <summary>v1 Taint: repels pods that do not tolerate it. Effect is NoSchedule, PreferNoSchedule or NoExecute.</summary>
public sealed class Taint : KubeModel
{
    [JsonPropertyName("key")] public string Key { get; set; } = "";
    [JsonPropertyName("value")] public string? Value { get; set; }
    [JsonPropertyName("effect")] public string Effect { get; set; } = "";
    [JsonPropertyName("timeAdded")] public DateTimeOffset? TimeAdded { get; set; }
}

/// <summary>v1 NodeStatus. Capacity and allocatable are quantities keyed by resource name (cpu, memory, pods, ...).</summary>
public sealed class NodeStatus : KubeModel
{
    [JsonPropertyName("capacity")][JsonConverter(typeof(QuantityMapConverter))] public Dictionary<string, string>? Capacity { get; set; }
    [JsonPropertyName("allocatable")][JsonConverter(typeof(QuantityMapConverter))] public Dictionary<string, string>? Allocatable { get; set; }
    [JsonPropertyName("phase")] public string? Phase { get; set; }
    [JsonPropertyName("conditions")] public List<NodeCondition>? Conditions { get; set; }
    [JsonPropertyName("addresses")] public List<NodeAddress>? Addresses { get; set; }
    [JsonPropertyName("daemonEndpoints")] public NodeDaemonEndpoints? DaemonEndpoints { get; set; }
    [JsonPropertyName("nodeInfo")] public NodeSystemInfo? NodeInfo { get; set; }
    [JsonPropertyName("volumesInUse")] public List<string>? VolumesInUse { get; set; }
}

/// <summary>v1 NodeCondition (Ready, MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable).</summary>
public sealed class NodeCondition : KubeModel
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("status")] public string Status { get; set; } = "Unknown";
    [JsonPropertyName("lastHeartbeatTime")] public DateTimeOffset? LastHeartbeatTime { get; set; }
    [JsonPropertyName("lastTransitionTime")] public DateTimeOffset? LastTransitionTime { get; set; }
    [JsonPropertyName("reason")] public string? Reason { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
}

/// <summary>v1 NodeAddress. Type is Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.</summary>
public sealed class NodeAddress : KubeModel
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("address")] public string Address { get; set; } = "";
}

public sealed class NodeDaemonEndpoints : KubeModel
{
    [JsonPropertyName("kubeletEndpoint")] public DaemonEndpoint? KubeletEndpoint { get; set; }
}

/// <summary>v1 DaemonEndpoint. The wire name really is capitalised: <c>Port</c>.</summary>
public sealed class DaemonEndpoint : KubeModel
{
    [JsonPropertyName("Port")] public int Port { get; set; }
}

/// <summary>v1 NodeSystemInfo as the kubelet reports it.</summary>
public sealed class NodeSystemInfo : KubeModel
{
    [JsonPropertyName("machineID")] public string? MachineId { get; set; }
    [JsonPropertyName("systemUUID")] public string? SystemUuid { get; set; }
    [JsonPropertyName("bootID")] public string? BootId { get; set; }
    [JsonPropertyName("kernelVersion")] public string? KernelVersion { get; set; }
    [JsonPropertyName("osImage")] public string? OsImage { get; set; }
    [JsonPropertyName("containerRuntimeVersion")] public string? ContainerRuntimeVersion { get; set; }
    [JsonPropertyName("kubeletVersion")] public string? KubeletVersion { get; set; }
    [JsonPropertyName("kubeProxyVersion")] public string? KubeProxyVersion { get; set; }
    [JsonPropertyName("operatingSystem")] public string? OperatingSystem { get; set; }
    [JsonPropertyName("architecture")] public string? Architecture { get; set; }
}
