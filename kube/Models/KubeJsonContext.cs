using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>
/// Source-generated JSON metadata for every wire type of the client. Nulls are omitted so a
/// model never sends a field it does not set (important for merge patch and apply).
/// </summary>
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
public sealed partial class KubeJsonContext : JsonSerializerContext
{
}
