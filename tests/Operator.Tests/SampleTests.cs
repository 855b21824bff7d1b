using System.Text.Json;
using DataCluster.Contracts;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using Xunit;

namespace DataCluster.Operator.Tests;

public class SampleTests
{
    public static TheoryData<string> Samples() =>
        [.. Directory.GetFiles(RepositoryFiles.PathOf("crds/samples"), "*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    private static Api.DataCluster Load(string file)
    {
        var json = Yaml.ToJson(RepositoryFiles.Read($"crds/samples/{file}"))!;
        return json.Deserialize(OperatorJsonContext.Default.DataCluster)!;
    }

    [Fact]
    public void The_minimal_and_three_zone_samples_exist()
    {
        Assert.Equal(["minimal.yaml", "three-zones.yaml"], Samples().Select(row => row.Data));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_is_a_valid_DataCluster_without_unknown_fields(string file)
    {
        var cluster = Load(file);

        Assert.Equal("datacluster.dev/v1alpha1", cluster.ApiVersion);
        Assert.Equal("DataCluster", cluster.Kind);
        Assert.Empty(Validation.Validate(Defaults.Apply(cluster), defaultAgentImage: TestClusters.AgentImage));
        Assert.Null(cluster.ExtensionData);
        foreach (KubeModel section in new KubeModel[] { cluster.Spec, cluster.Spec.Replication, cluster.Spec.Agent, cluster.Spec.Storage, cluster.Spec.Topology })
        {
            Assert.Null(section.ExtensionData);
        }
    }

    [Fact]
    public void Three_zone_sample_spreads_three_members_with_one_replica_outside_the_leaders_zone()
    {
        var cluster = Load("three-zones.yaml");

        Assert.Equal(3, cluster.Spec.Replicas);
        Assert.Equal(3, cluster.Spec.Replication.Factor);
        Assert.Equal(1, cluster.Spec.Replication.OtherZoneReplicas);
        var app = Assert.Single(cluster.Spec.Template!.Spec.Containers);
        Assert.Equal("app", app.Name);
        Assert.Equal("64Mi", cluster.Spec.Agent.Resources!.Requests!["memory"]);
    }

    [Fact]
    public void Minimal_sample_relies_on_defaults()
    {
        var cluster = Defaults.Apply(Load("minimal.yaml"));

        Assert.Equal(Limits.Partitions.Default, cluster.Spec.Partitions);
        Assert.Null(cluster.Spec.Template);
        Assert.Equal(JsonSerializer.Serialize(new DataClusterSpec { Replicas = 3 }, OperatorJsonContext.Default.Options),
            JsonSerializer.Serialize(cluster.Spec, OperatorJsonContext.Default.Options));
    }
}
