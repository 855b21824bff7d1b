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
}
