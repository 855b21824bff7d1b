using System.Text.Json.Serialization;
using DataCluster.Kube.Discovery;

namespace DataCluster.Kube.Client;

/// <summary>
/// Source-generated JSON for the client's own wire types (request options, discovery documents).
/// Kept apart from the models' context, which belongs to the model definitions.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeleteOptionsBody))]
[JsonSerializable(typeof(ApiVersions))]
[JsonSerializable(typeof(ApiGroupList))]
[JsonSerializable(typeof(ApiResourceList))]
internal sealed partial class ClientJsonContext : JsonSerializerContext
{
}
