using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>
/// discovery.k8s.io/v1 EndpointSlice. This is the only model of the kind: servers that serve
/// only v1beta1 (1.20) are handled by <c>KubeResources.EndpointSlices.WithVersion("v1beta1")</c>,
/// which converts to and from this shape.
/// </summary>
public sealed class EndpointSlice : KubeObject
{
    /// <summary>IPv4, IPv6 or FQDN. Immutable.</summary>
    [JsonPropertyName("addressType")] public string AddressType { get; set; } = "IPv4";
    [JsonPropertyName("endpoints")] public List<Endpoint> Endpoints { get; set; } = [];
    /// <summary>The ports of every endpoint. Null means "no ports defined"; an empty list means "no ports at all".</summary>
    [JsonPropertyName("ports")] public List<EndpointPort>? Ports { get; set; }
}

/// <summary>discovery.k8s.io/v1 Endpoint: one backend.</summary>
public sealed class Endpoint : KubeModel
{
    /// <summary>At least one address; consumers may use only the first.</summary>
    [JsonPropertyName("addresses")] public List<string> Addresses { get; set; } = [];
    [JsonPropertyName("conditions")] public EndpointConditions? Conditions { get; set; }
    [JsonPropertyName("hostname")] public string? Hostname { get; set; }
    [JsonPropertyName("targetRef")] public ObjectReference? TargetRef { get; set; }
    [JsonPropertyName("nodeName")] public string? NodeName { get; set; }
    [JsonPropertyName("zone")] public string? Zone { get; set; }
    [JsonPropertyName("hints")] public EndpointHints? Hints { get; set; }
    /// <summary>
    /// The v1beta1 topology map minus the keys that became <see cref="Zone"/> and
    /// <see cref="NodeName"/>. The v1 API ignores writes to it; it only carries what a v1beta1
    /// writer put there.
    /// </summary>
    [JsonPropertyName("deprecatedTopology")] public Dictionary<string, string>? DeprecatedTopology { get; set; }
}

/// <summary>
/// discovery.k8s.io/v1 EndpointConditions. Null means unknown; consumers treat an unknown
/// <see cref="Ready"/> as ready.
/// </summary>
public sealed class EndpointConditions : KubeModel
{
    /// <summary>
    /// Ready to receive traffic. Not true while <see cref="Terminating"/> is true, unless the
    /// Service publishes not-ready addresses.
    /// </summary>
    [JsonPropertyName("ready")] public bool? Ready { get; set; }
    /// <summary>Like <see cref="Ready"/> but independent of terminating.</summary>
    [JsonPropertyName("serving")] public bool? Serving { get; set; }
    [JsonPropertyName("terminating")] public bool? Terminating { get; set; }
}

/// <summary>discovery.k8s.io/v1 EndpointHints for topology-aware routing.</summary>
public sealed class EndpointHints : KubeModel
{
    [JsonPropertyName("forZones")] public List<ForZone>? ForZones { get; set; }
}

public sealed class ForZone : KubeModel
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
}

/// <summary>discovery.k8s.io/v1 EndpointPort. A null <see cref="Port"/> means "all ports".</summary>
public sealed class EndpointPort : KubeModel
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("protocol")] public string? Protocol { get; set; }
    [JsonPropertyName("port")] public int? Port { get; set; }
    [JsonPropertyName("appProtocol")] public string? AppProtocol { get; set; }
}
