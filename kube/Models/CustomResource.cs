using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>
/// Base for typed custom resources with the usual spec/status split. A derived kind is declared
/// as <c>sealed class DataCluster : CustomResource&lt;DataClusterSpec, DataClusterStatus&gt;</c>,
/// registered in the owning project's own source-generated context, and addressed with a
/// <see cref="ResourceType{T}"/> built from that context's metadata. Give that context
/// <c>DefaultIgnoreCondition = WhenWritingNull</c> and <c>Converters = [typeof(TimeConverter)]</c>,
/// as <see cref="KubeJsonContext"/> has, so unset fields are not sent and timestamps keep the
/// server's form.
/// </summary>
/// <remarks>Writes to <see cref="Status"/> go through the status subresource when the CRD enables it.</remarks>
public abstract class CustomResource<TSpec, TStatus> : KubeObject
    where TSpec : class, new()
    where TStatus : class
{
    [JsonPropertyName("spec")] public TSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public TStatus? Status { get; set; }
}
