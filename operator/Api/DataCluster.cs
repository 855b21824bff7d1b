using System.Text.Json;
using System.Text.Json.Serialization;
using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Models;

namespace DataCluster.Operator.Api;

/// <summary>
/// A DataCluster (datacluster.dev/v1alpha1): a set of members, each a pod running the user's app
/// beside the DataCluster agent, that share a fixed set of replicated partitions. Fields the model
/// does not know are kept (see <see cref="KubeObject.ExtensionData"/>).
/// </summary>
public sealed class DataCluster : KubeObject
{
    [JsonPropertyName("spec")]
    [Description("The desired cluster. Every field has a default, so an empty spec gives three members with 256 partitions replicated three times.")]
    public DataClusterSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    [Description("What the operator last observed. Written by the operator only.")]
    public DataClusterStatus? Status { get; set; }

    /// <summary>
    /// Set by <see cref="DataClusterResource.Tolerant"/> when the stored object is not readable as
    /// a DataCluster (for example a template whose containers is not a list, which the schema's
    /// preserve-unknown-fields lets through): the object then carries only its metadata, and
    /// validation reports this message. Never serialized.
    /// </summary>
    [JsonIgnore]
    public string? DecodeError { get; set; }
}

/// <summary>The descriptor the kube client uses to address DataCluster objects.</summary>
public static class DataClusterResource
{
    public static readonly ResourceType<DataCluster> Type = new(
        DataClusterApi.Group,
        DataClusterApi.Version,
        DataClusterApi.Kind,
        DataClusterApi.Plural,
        namespaced: true,
        OperatorJsonContext.Default.DataCluster,
        OperatorJsonContext.Default.KubeListDataCluster);

    /// <summary>
    /// The same kind for reading into caches: an object that does not deserialize yields a
    /// DataCluster with its metadata and <see cref="DataCluster.DecodeError"/> instead of failing
    /// the whole list or watch, so one malformed object cannot stop the operator from seeing the
    /// others (its informer would otherwise relist forever).
    /// </summary>
    public static readonly ResourceType<DataCluster> Tolerant = new TolerantResourceType();

    private sealed class TolerantResourceType() : ResourceType<DataCluster>(
        DataClusterApi.Group,
        DataClusterApi.Version,
        DataClusterApi.Kind,
        DataClusterApi.Plural,
        namespaced: true,
        OperatorJsonContext.Default.DataCluster,
        OperatorJsonContext.Default.KubeListDataCluster)
    {
        public override DataCluster Read(JsonElement element)
        {
            try
            {
                return base.Read(element);
            }
            catch (JsonException e)
            {
                return Fallback(element, e);
            }
        }

        public override KubeList<DataCluster> ReadList(JsonElement element)
        {
            var list = new KubeList<DataCluster>();
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException($"Expected a DataCluster list object, got {element.ValueKind}.");
            }

            if (element.TryGetProperty("apiVersion", out var apiVersion) && apiVersion.ValueKind == JsonValueKind.String)
            {
                list.ApiVersion = apiVersion.GetString();
            }

            if (element.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.String)
            {
                list.Kind = kind.GetString();
            }

            if (element.TryGetProperty("metadata", out var metadata))
            {
                list.Metadata = metadata.Deserialize(KubeJsonContext.Default.ListMeta) ?? new ListMeta();
            }

            if (element.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray())
                {
                    list.Items.Add(Read(item));
                }
            }

            return list;
        }

        private static DataCluster Fallback(JsonElement element, JsonException error)
        {
            // Metadata is written by the API server itself, so it always reads; only what users
            // wrote can be malformed.
            var metadata = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("metadata", out var meta)
                ? meta.Deserialize(KubeJsonContext.Default.ObjectMeta) ?? new ObjectMeta()
                : new ObjectMeta();
            // The status is the operator's own writing, so it reads even when the spec does not;
            // keeping it lets the operator see what it already reported.
            DataClusterStatus? status = null;
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("status", out var statusElement))
            {
                try
                {
                    status = statusElement.Deserialize(OperatorJsonContext.Default.DataClusterStatus);
                }
                catch (JsonException)
                {
                    status = null;
                }
            }

            // The serializer's message names CLR types; the JSON path is what a user can act on.
            var field = string.IsNullOrEmpty(error.Path) ? null : error.Path.TrimStart('$', '.');
            return new DataCluster
            {
                ApiVersion = DataClusterApi.ApiVersion,
                Kind = DataClusterApi.Kind,
                Metadata = metadata,
                Status = status,
                DecodeError = field is null ? "the object does not have the shape of a DataCluster" : $"{field} holds a value of the wrong type",
            };
        }
    }
}
