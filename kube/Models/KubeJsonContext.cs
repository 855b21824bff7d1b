using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>
/// Source-generated JSON metadata for every wire type of the client. Nulls are omitted so a
/// model never sends a field it does not set (important for merge patch and apply). Timestamps
/// are written the way the server writes them (<see cref="TimeConverter"/>).
/// </summary>
/// <remarks>
/// Each kind is listed with its list type; nested types are reached through them. Types that are
/// also sent or read on their own (Binding, PodTemplateSpec, ObjectReference, JsonSchemaProps)
/// are listed too. SubjectAccessReview has no list on the server; its list type is here only
/// because every <see cref="ResourceType{T}"/> carries one.
/// </remarks>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false,
    Converters = [typeof(TimeConverter)])]
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
[JsonSerializable(typeof(PersistentVolumeClaim))]
[JsonSerializable(typeof(KubeList<PersistentVolumeClaim>))]
[JsonSerializable(typeof(ServiceAccount))]
[JsonSerializable(typeof(KubeList<ServiceAccount>))]
[JsonSerializable(typeof(Event))]
[JsonSerializable(typeof(KubeList<Event>))]
[JsonSerializable(typeof(StatefulSet))]
[JsonSerializable(typeof(KubeList<StatefulSet>))]
[JsonSerializable(typeof(PodDisruptionBudget))]
[JsonSerializable(typeof(KubeList<PodDisruptionBudget>))]
[JsonSerializable(typeof(Role))]
[JsonSerializable(typeof(KubeList<Role>))]
[JsonSerializable(typeof(RoleBinding))]
[JsonSerializable(typeof(KubeList<RoleBinding>))]
[JsonSerializable(typeof(ClusterRole))]
[JsonSerializable(typeof(KubeList<ClusterRole>))]
[JsonSerializable(typeof(ClusterRoleBinding))]
[JsonSerializable(typeof(KubeList<ClusterRoleBinding>))]
[JsonSerializable(typeof(CustomResourceDefinition))]
[JsonSerializable(typeof(KubeList<CustomResourceDefinition>))]
[JsonSerializable(typeof(JsonSchemaProps))]
[JsonSerializable(typeof(SubjectAccessReview))]
[JsonSerializable(typeof(KubeList<SubjectAccessReview>))]
[JsonSerializable(typeof(GenericObject))]
[JsonSerializable(typeof(KubeList<GenericObject>))]
public sealed partial class KubeJsonContext : JsonSerializerContext
{
}
