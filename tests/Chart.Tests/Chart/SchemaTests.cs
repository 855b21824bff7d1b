using System.Text.Json.Nodes;
using DataCluster.Chart.Tests.Support;
using Xunit;

namespace DataCluster.Chart.Tests.Chart;

/// <summary>values.schema.json refuses wrong values before anything is rendered, naming the value.</summary>
public sealed class SchemaTests
{
    [Theory]
    [InlineData("""{ "replicaCount": "two" }""", "replicaCount: Invalid type. Expected: integer, given: string")]
    [InlineData("""{ "watchNamespaces": "team-a" }""", "watchNamespaces: Invalid type. Expected: array, given: string")]
    [InlineData("""{ "leaderElection": { "enabled": "yes" } }""", "leaderElection.enabled: Invalid type. Expected: boolean, given: string")]
    [InlineData("""{ "logLevel": "Verbose" }""", "logLevel: logLevel must be one of the following")]
    [InlineData("""{ "logFormat": "xml" }""", "logFormat: logFormat must be one of the following")]
    [InlineData("""{ "watchNamespaces": ["Team_A"] }""", "watchNamespaces.0: Does not match pattern")]
    [InlineData("""{ "metrics": { "port": 70000 } }""", "metrics.port: Must be less than or equal to 65535")]
    [InlineData("""{ "otlpEndpoint": "collector:4317" }""", "otlpEndpoint: Does not match pattern")]
    [InlineData("""{ "image": { "pullPolicy": "Sometimes" } }""", "image.pullPolicy: image.pullPolicy must be one of the following")]
    [InlineData("""{ "replicas": 3 }""", "Additional property replicas is not allowed")]
    public async Task A_wrong_value_is_refused_with_a_message_naming_it(string values, string message)
    {
        var result = await Helm.TemplateAsync("datacluster-system", JsonNode.Parse(values)!.AsObject());

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("values don't meet the specifications of the schema", result.Error, StringComparison.Ordinal);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_type_given_with_set_is_refused_too()
    {
        var result = await Run.ProcessAsync(Tools.Helm, ["template", Helm.Release, Repository.Chart, "--set", "replicaCount=two"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("replicaCount: Invalid type. Expected: integer, given: string", result.Error, StringComparison.Ordinal);
    }
}
