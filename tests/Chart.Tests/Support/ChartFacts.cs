using System.Text.Json.Nodes;
using DataCluster.LocalCluster;

namespace DataCluster.Chart.Tests.Support;

/// <summary>Chart.yaml and values.yaml as committed.</summary>
internal static class ChartFacts
{
    private static readonly Lazy<JsonObject> ChartYaml = new(() => Manifests.Parse(Repository.Read($"{Repository.Chart}/Chart.yaml")).Single());

    private static readonly Lazy<JsonObject> ValuesYaml = new(() => Manifests.Parse(Repository.Read($"{Repository.Chart}/values.yaml")).Single());

    public static string Version => (string)ChartYaml.Value["version"]!;

    public static string AppVersion => (string)ChartYaml.Value["appVersion"]!;

    public static JsonObject Values => ValuesYaml.Value;
}
