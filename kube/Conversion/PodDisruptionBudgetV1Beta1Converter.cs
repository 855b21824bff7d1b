using System.Text.Json.Nodes;

namespace DataCluster.Kube.Conversion;

/// <summary>
/// policy/v1beta1 PodDisruptionBudget to and from the policy/v1 model. The fields are the same,
/// so only apiVersion changes (stamped by <see cref="ConvertedResourceType{T}"/>).
/// </summary>
/// <remarks>
/// The versions differ in one meaning, which no rewrite can bridge: an empty selector matches
/// every pod of the namespace in v1 and no pod in v1beta1. Callers always set a selector, so
/// the budget means the same on every server.
/// </remarks>
internal sealed class PodDisruptionBudgetV1Beta1Converter : IVersionConverter
{
    public static PodDisruptionBudgetV1Beta1Converter Instance { get; } = new();

    public string Version => "v1beta1";

    public void ToModel(JsonObject obj)
    {
    }

    public void FromModel(JsonObject obj)
    {
    }
}
