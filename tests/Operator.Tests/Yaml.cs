using System.Text.Json.Nodes;
using DataCluster.LocalCluster;

namespace DataCluster.Operator.Tests;

/// <summary>Reads YAML the way the API server's YAML-to-JSON step does, for checking manifests and samples.</summary>
internal static class Yaml
{
    /// <summary>The first document of <paramref name="yaml"/>, or null when there is none.</summary>
    public static JsonNode? ToJson(string yaml) => Manifests.Parse(yaml).FirstOrDefault();
}
