using System.Text.Json.Nodes;
using DataCluster.Chart.Tests.Support;

namespace DataCluster.Chart.Tests.GitOps;

/// <summary>
/// The rules kstatus (sigs.k8s.io/cli-utils, which Flux and kpt use) applies to a custom resource,
/// restated: being deleted is Terminating; a status.observedGeneration different from
/// metadata.generation is InProgress; then the first condition that is Reconciling=True
/// (InProgress) or Stalled=True (Failed) decides; anything else is Current, including an object
/// with no status at all. Pure.
/// </summary>
internal static class Kstatus
{
    public const string InProgress = "InProgress";
    public const string Failed = "Failed";
    public const string Current = "Current";
    public const string Terminating = "Terminating";

    public static string Compute(JsonObject resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (resource["metadata"]?["deletionTimestamp"] is JsonValue)
        {
            return Terminating;
        }

        if (resource["metadata"]?["generation"] is JsonValue generation
            && resource["status"]?["observedGeneration"] is JsonValue observed
            && JsonText.Integer(observed) != JsonText.Integer(generation))
        {
            return InProgress;
        }

        foreach (var condition in resource["status"]?["conditions"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var isTrue = (string?)condition["status"] == "True";
            switch ((string?)condition["type"])
            {
                case "Reconciling" when isTrue:
                    return InProgress;
                case "Stalled" when isTrue:
                    return Failed;
            }
        }

        return Current;
    }

    /// <summary>The kstatus result that means what an Argo CD health status means.</summary>
    public static string Equivalent(string argoHealth) => argoHealth switch
    {
        "Healthy" => Current,
        "Progressing" => InProgress,
        "Degraded" => Failed,
        _ => throw new ArgumentOutOfRangeException(nameof(argoHealth), argoHealth, "no kstatus equivalent"),
    };
}
