using System.Text.Json.Nodes;
using DataCluster.LocalCluster;

namespace DataCluster.Chart.Tests.Support;

/// <summary>helm run on charts/datacluster.</summary>
internal static class Helm
{
    /// <summary>The release name the tests install as; objects are called datacluster-operator.</summary>
    public const string Release = "datacluster";

    /// <summary><c>helm template</c> with <paramref name="values"/> (as a values file) and any further arguments.</summary>
    public static async Task<ProcessResult> TemplateAsync(string ns, JsonObject? values, params string[] arguments)
    {
        var file = Path.Combine(Path.GetTempPath(), $"values-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, (values ?? []).ToJsonString());
        try
        {
            return await Run.ProcessAsync(Tools.Helm, ["template", Release, Repository.Chart, "--namespace", ns, "--values", file, .. arguments]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The objects <c>helm template</c> renders; fails the test when it fails.</summary>
    public static async Task<Rendered> RenderAsync(string ns, JsonObject? values, params string[] arguments)
    {
        var result = (await TemplateAsync(ns, values, arguments)).Succeeded("helm template");
        return new Rendered(result.Output, Manifests.Parse(result.Output));
    }
}

/// <summary>What a chart rendered: the YAML and the objects in it.</summary>
internal sealed class Rendered(string yaml, IReadOnlyList<JsonObject> objects)
{
    public string Yaml => yaml;

    public IReadOnlyList<JsonObject> Objects => objects;

    public IEnumerable<string> Kinds => objects.Select(o => (string)o["kind"]!);

    public JsonObject? Find(string kind) => objects.SingleOrDefault(o => (string?)o["kind"] == kind);

    public JsonObject Single(string kind) => Find(kind) ?? throw new InvalidOperationException($"No {kind} rendered; kinds: {string.Join(", ", Kinds)}.");

    public JsonObject Deployment => Single("Deployment");

    public JsonObject PodTemplate => Deployment["spec"]!["template"]!.AsObject();

    public JsonObject PodSpec => PodTemplate["spec"]!.AsObject();

    public JsonObject Container => PodSpec["containers"]!.AsArray().Single()!.AsObject();

    public IReadOnlyList<string> Args => [.. Container["args"]!.AsArray().Select(a => (string)a!)];

    /// <summary>The literal value of the operator container's variable, or null when it is not set.</summary>
    public string? Env(string name) =>
        Container["env"]?.AsArray().SingleOrDefault(e => (string?)e!["name"] == name)?["value"]?.GetValue<string>();
}
