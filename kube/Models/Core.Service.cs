using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>v1 Service.</summary>
public sealed class Service : KubeObject
{
    [JsonPropertyName("spec")] public ServiceSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public ServiceStatus? Status { get; set; }
}

/// <summary>
/// v1 ServiceSpec. A headless Service has <see cref="ClusterIp"/> "None"; a Service without a
/// <see cref="Selector"/> gets no endpoints from Kubernetes, so its EndpointSlices are ours to write.
/// </summary>
public sealed class ServiceSpec : KubeModel
{
    /// <summary>ClusterIP (default), NodePort, LoadBalancer or ExternalName.</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("selector")] public Dictionary<string, string>? Selector { get; set; }
    [JsonPropertyName("ports")] public List<ServicePort>? Ports { get; set; }
    /// <summary>Assigned by the server unless set, then immutable: a Service cannot become headless ("None") or stop being headless in place.</summary>
    [JsonPropertyName("clusterIP")] public string? ClusterIp { get; set; }
    [JsonPropertyName("clusterIPs")] public List<string>? ClusterIps { get; set; }
    [JsonPropertyName("ipFamilies")] public List<string>? IpFamilies { get; set; }
    [JsonPropertyName("ipFamilyPolicy")] public string? IpFamilyPolicy { get; set; }
    [JsonPropertyName("externalIPs")] public List<string>? ExternalIps { get; set; }
    [JsonPropertyName("externalName")] public string? ExternalName { get; set; }
    /// <summary>None or ClientIP.</summary>
    [JsonPropertyName("sessionAffinity")] public string? SessionAffinity { get; set; }
    [JsonPropertyName("sessionAffinityConfig")] public SessionAffinityConfig? SessionAffinityConfig { get; set; }
    /// <summary>Publish endpoints of pods that are not ready: how peers of a StatefulSet find each other before they are ready.</summary>
    [JsonPropertyName("publishNotReadyAddresses")] public bool? PublishNotReadyAddresses { get; set; }
    [JsonPropertyName("externalTrafficPolicy")] public string? ExternalTrafficPolicy { get; set; }
    [JsonPropertyName("internalTrafficPolicy")] public string? InternalTrafficPolicy { get; set; }
    [JsonPropertyName("healthCheckNodePort")] public int? HealthCheckNodePort { get; set; }
    [JsonPropertyName("loadBalancerIP")] public string? LoadBalancerIp { get; set; }
    [JsonPropertyName("loadBalancerSourceRanges")] public List<string>? LoadBalancerSourceRanges { get; set; }
    [JsonPropertyName("loadBalancerClass")] public string? LoadBalancerClass { get; set; }
    [JsonPropertyName("allocateLoadBalancerNodePorts")] public bool? AllocateLoadBalancerNodePorts { get; set; }
}

/// <summary>
/// v1 ServicePort. <see cref="TargetPort"/> is a number or the name of a container port; the
/// server defaults it to <see cref="Port"/>.
/// </summary>
public sealed class ServicePort : KubeModel
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("protocol")] public string? Protocol { get; set; }
    [JsonPropertyName("appProtocol")] public string? AppProtocol { get; set; }
    [JsonPropertyName("port")] public int Port { get; set; }
    [JsonPropertyName("targetPort")] public IntOrString? TargetPort { get; set; }
    [JsonPropertyName("nodePort")] public int? NodePort { get; set; }
}

public sealed class SessionAffinityConfig : KubeModel
{
    [JsonPropertyName("clientIP")] public ClientIpConfig? ClientIp { get; set; }
}

public sealed class ClientIpConfig : KubeModel
{
    [JsonPropertyName("timeoutSeconds")] public int? TimeoutSeconds { get; set; }
}

/// <summary>v1 ServiceStatus.</summary>
public sealed class ServiceStatus : KubeModel
{
    [JsonPropertyName("loadBalancer")] public LoadBalancerStatus? LoadBalancer { get; set; }
    [JsonPropertyName("conditions")] public List<Condition>? Conditions { get; set; }
}

public sealed class LoadBalancerStatus : KubeModel
{
    [JsonPropertyName("ingress")] public List<LoadBalancerIngress>? Ingress { get; set; }
}

public sealed class LoadBalancerIngress : KubeModel
{
    [JsonPropertyName("ip")] public string? Ip { get; set; }
    [JsonPropertyName("hostname")] public string? Hostname { get; set; }
    [JsonPropertyName("ipMode")] public string? IpMode { get; set; }
}
