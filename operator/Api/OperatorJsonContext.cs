using System.Text.Json.Serialization;
using DataCluster.Kube.Models;

namespace DataCluster.Operator.Api;

/// <summary>
/// Source-generated JSON metadata for the operator's own wire types. Options match the kube
/// client's context: nulls are omitted so a model never sends a field it did not set, and
/// timestamps are written the way the API server writes them.
/// </summary>
/// <remarks>
/// <see cref="PodTemplateSpec"/> is listed because builders deep-copy the user's template through
/// JSON, which keeps fields our models do not declare.
/// </remarks>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false,
    Converters = [typeof(TimeConverter)])]
[JsonSerializable(typeof(DataCluster))]
[JsonSerializable(typeof(KubeList<DataCluster>))]
[JsonSerializable(typeof(PodTemplateSpec))]
public sealed partial class OperatorJsonContext : JsonSerializerContext
{
}
