using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>v1 PodStatus, written by the kubelet (or whoever plays the node).</summary>
public sealed class PodStatus : KubeModel
{
    /// <summary>Pending, Running, Succeeded, Failed or Unknown.</summary>
    [JsonPropertyName("phase")] public string? Phase { get; set; }
    [JsonPropertyName("conditions")] public List<PodCondition>? Conditions { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
    [JsonPropertyName("reason")] public string? Reason { get; set; }
    [JsonPropertyName("nominatedNodeName")] public string? NominatedNodeName { get; set; }
    [JsonPropertyName("hostIP")] public string? HostIp { get; set; }
    [JsonPropertyName("hostIPs")] public List<HostIp>? HostIps { get; set; }
    [JsonPropertyName("podIP")] public string? PodIp { get; set; }
    [JsonPropertyName("podIPs")] public List<PodIp>? PodIps { get; set; }
    [JsonPropertyName("startTime")] public DateTimeOffset? StartTime { get; set; }
    [JsonPropertyName("initContainerStatuses")] public List<ContainerStatus>? InitContainerStatuses { get; set; }
    [JsonPropertyName("containerStatuses")] public List<ContainerStatus>? ContainerStatuses { get; set; }
    [JsonPropertyName("qosClass")] public string? QosClass { get; set; }
}

/// <summary>v1 PodCondition (PodScheduled, Initialized, ContainersReady, Ready, ...).</summary>
public sealed class PodCondition : KubeModel
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("status")] public string Status { get; set; } = "Unknown";
    [JsonPropertyName("lastProbeTime")] public DateTimeOffset? LastProbeTime { get; set; }
    [JsonPropertyName("lastTransitionTime")] public DateTimeOffset? LastTransitionTime { get; set; }
    [JsonPropertyName("reason")] public string? Reason { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
}

public sealed class PodIp : KubeModel
{
    [JsonPropertyName("ip")] public string Ip { get; set; } = "";
}

public sealed class HostIp : KubeModel
{
    [JsonPropertyName("ip")] public string Ip { get; set; } = "";
}

/// <summary>v1 ContainerStatus.</summary>
public sealed class ContainerStatus : KubeModel
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("state")] public ContainerState? State { get; set; }
    [JsonPropertyName("lastState")] public ContainerState? LastState { get; set; }
    [JsonPropertyName("ready")] public bool Ready { get; set; }
    [JsonPropertyName("restartCount")] public int RestartCount { get; set; }
    [JsonPropertyName("image")] public string? Image { get; set; }
    [JsonPropertyName("imageID")] public string? ImageId { get; set; }
    [JsonPropertyName("containerID")] public string? ContainerId { get; set; }
    [JsonPropertyName("started")] public bool? Started { get; set; }
}

/// <summary>v1 ContainerState: at most one of the three is set; none means waiting with no reason yet.</summary>
public sealed class ContainerState : KubeModel
{
    [JsonPropertyName("waiting")] public ContainerStateWaiting? Waiting { get; set; }
    [JsonPropertyName("running")] public ContainerStateRunning? Running { get; set; }
    [JsonPropertyName("terminated")] public ContainerStateTerminated? Terminated { get; set; }
}

public sealed class ContainerStateWaiting : KubeModel
{
    [JsonPropertyName("reason")] public string? Reason { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
}

public sealed class ContainerStateRunning : KubeModel
{
    [JsonPropertyName("startedAt")] public DateTimeOffset? StartedAt { get; set; }
}

public sealed class ContainerStateTerminated : KubeModel
{
    [JsonPropertyName("exitCode")] public int ExitCode { get; set; }
    [JsonPropertyName("signal")] public int? Signal { get; set; }
    [JsonPropertyName("reason")] public string? Reason { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
    [JsonPropertyName("startedAt")] public DateTimeOffset? StartedAt { get; set; }
    [JsonPropertyName("finishedAt")] public DateTimeOffset? FinishedAt { get; set; }
    [JsonPropertyName("containerID")] public string? ContainerId { get; set; }
}
