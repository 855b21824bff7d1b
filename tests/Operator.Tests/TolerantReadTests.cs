using System.Text.Json;
using DataCluster.Operator.Api;
using Xunit;

namespace DataCluster.Operator.Tests;

public class TolerantReadTests
{
    private const string Good = """{"apiVersion":"datacluster.dev/v1alpha1","kind":"DataCluster","metadata":{"name":"good","namespace":"ns","uid":"u1"},"spec":{"replicas":5}}""";
    private const string Bad = """{"apiVersion":"datacluster.dev/v1alpha1","kind":"DataCluster","metadata":{"name":"bad","namespace":"ns","uid":"u2","resourceVersion":"9"},"spec":{"template":{"spec":{"containers":"app"}}},"status":{"partitions":64}}""";

    [Fact]
    public void A_list_with_one_malformed_object_yields_every_object_and_the_malformed_one_carries_its_error()
    {
        using var list = JsonDocument.Parse($$"""{"apiVersion":"datacluster.dev/v1alpha1","kind":"DataClusterList","metadata":{"resourceVersion":"42"},"items":[{{Good}},{{Bad}}]}""");

        Assert.Throws<JsonException>(() => DataClusterResource.Type.ReadList(list.RootElement));
        var read = DataClusterResource.Tolerant.ReadList(list.RootElement);

        Assert.Equal("42", read.Metadata.ResourceVersion);
        Assert.Equal(["good", "bad"], read.Items.Select(i => i.Metadata.Name));
        Assert.Null(read.Items[0].DecodeError);
        Assert.Equal(5, read.Items[0].Spec.Replicas);
        var bad = read.Items[1];
        Assert.Equal(("u2", "9", 64), (bad.Metadata.Uid, bad.Metadata.ResourceVersion, bad.Status?.Partitions));
        Assert.Equal("spec.template.spec.containers holds a value of the wrong type", bad.DecodeError);
    }

    [Fact]
    public void Validation_reports_a_malformed_object_with_the_field_to_fix()
    {
        using var document = JsonDocument.Parse(Bad);
        var bad = DataClusterResource.Tolerant.Read(document.RootElement);

        var problem = Assert.Single(Validation.Validate(Defaults.Apply(bad), TestClusters.AgentImage));

        Assert.StartsWith("spec.template.spec.containers holds a value of the wrong type, so the DataCluster cannot be read: fix that field", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_error_is_never_serialized()
    {
        var cluster = TestClusters.Create();
        cluster.DecodeError = "x";

        Assert.DoesNotContain("x\"", JsonSerializer.Serialize(cluster, OperatorJsonContext.Default.DataCluster), StringComparison.Ordinal);
    }
}
