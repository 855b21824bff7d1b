using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>
/// Source-generated JSON metadata for every wire type of the client. Nulls are omitted so a
/// model never sends a field it does not set (important for merge patch and apply).
/// </summary>
/// <remarks>
/// Each kind is listed with its list type; nested types are reached through them. Types that are
/// also sent or read on their own (Binding, PodTemplateSpec, ObjectReference) are listed too.
/// </remarks>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(Status))]
[JsonSerializable(typeof(Namespace))]
[JsonSerializable(typeof(KubeList<Namespace>))]
[JsonSerializable(typeof(ConfigMap))]
[JsonSerializable(typeof(KubeList<ConfigMap>))]
[JsonSerializable(typeof(Secret))]
[JsonSerializable(typeof(KubeList<Secret>))]
[JsonSerializable(typeof(Lease))]
[JsonSerializable(typeof(KubeList<Lease>))]
[JsonSerializable(typeof(Node))]
[JsonSerializable(typeof(KubeList<Node>))]
[JsonSerializable(typeof(Pod))]
[JsonSerializable(typeof(KubeList<Pod>))]
[JsonSerializable(typeof(PodTemplateSpec))]
[JsonSerializable(typeof(Binding))]
[JsonSerializable(typeof(ObjectReference))]
[JsonSerializable(typeof(IntOrString))]
[JsonSerializable(typeof(Service))]
[JsonSerializable(typeof(KubeList<Service>))]
[JsonSerializable(typeof(EndpointSlice))]
[JsonSerializable(typeof(KubeList<EndpointSlice>))]
public sealed partial class KubeJsonContext : JsonSerializerContext
{
}
