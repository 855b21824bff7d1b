using System.Text.Json;
using DataCluster.Operator.Api;
using Xunit;

namespace DataCluster.Operator.Tests;

public class DefaultsTests
{
    [Fact]
    public void An_empty_spec_gets_every_default()
    {
        var cluster = JsonSerializer.Deserialize("""{"metadata":{"name":"demo"},"spec":{}}""", OperatorJsonContext.Default.DataCluster)!;

        var spec = Defaults.Apply(cluster).Spec;

        Assert.Equal(3, spec.Replicas);
        Assert.Equal(256, spec.Partitions);
        Assert.Equal(3, spec.Replication.Factor);
        Assert.Equal("Quorum", spec.Replication.CommitLevel);
        Assert.Equal(0, spec.Replication.OtherZoneReplicas);
        Assert.Equal(0, spec.Replication.OtherRegionReplicas);
        Assert.True(spec.Replication.Substitutes);
        Assert.Equal(6, spec.Agent.LeaseDurationSeconds);
        Assert.Equal(2, spec.Agent.RenewIntervalSeconds);
        Assert.Equal("Information", spec.Agent.LogLevel);
        Assert.Null(spec.Agent.Image);
        Assert.Equal("1Gi", spec.Storage.Size);
        Assert.Null(spec.Storage.StorageClassName);
        Assert.Equal("topology.kubernetes.io/zone", spec.Topology.ZoneLabel);
        Assert.Equal("topology.kubernetes.io/region", spec.Topology.RegionLabel);
        Assert.Equal(600, spec.ScaleDown.DrainDeadlineSeconds);
        Assert.Equal(1, spec.PodDisruptionBudget.MaxUnavailable);
        Assert.Null(spec.Template);
    }

    [Fact]
    public void Explicit_nulls_and_empty_strings_become_defaults()
    {
        var cluster = JsonSerializer.Deserialize(
            """{"metadata":{"name":"demo"},"spec":{"replication":{"factor":2,"commitLevel":""},"agent":null,"storage":{"size":""},"topology":{"zoneLabel":null}}}""",
            OperatorJsonContext.Default.DataCluster)!;

        var spec = Defaults.Apply(cluster).Spec;

        Assert.Equal(2, spec.Replication.Factor);
        Assert.Equal("Quorum", spec.Replication.CommitLevel);
        Assert.Equal(6, spec.Agent.LeaseDurationSeconds);
        Assert.Equal("1Gi", spec.Storage.Size);
        Assert.Equal("topology.kubernetes.io/zone", spec.Topology.ZoneLabel);
    }

    [Fact]
    public void Defaulting_copies_and_keeps_unknown_fields()
    {
        var cluster = JsonSerializer.Deserialize(
            """{"metadata":{"name":"demo"},"spec":{"futureField":1,"agent":null}}""",
            OperatorJsonContext.Default.DataCluster)!;

        var defaulted = Defaults.Apply(cluster);

        Assert.NotSame(cluster, defaulted.Cluster);
        Assert.Null(cluster.Spec.Agent);
        Assert.True(defaulted.Spec.ExtensionData!.ContainsKey("futureField"));
        Assert.Equal(
            JsonSerializer.Serialize(defaulted.Cluster, OperatorJsonContext.Default.DataCluster),
            JsonSerializer.Serialize(Defaults.Apply(defaulted.Cluster).Cluster, OperatorJsonContext.Default.DataCluster));
    }

    [Theory]
    [InlineData("spec-image", "operator-image", "spec-image")]
    [InlineData(null, "operator-image", "operator-image")]
    [InlineData("  ", "operator-image", "operator-image")]
    [InlineData(null, null, null)]
    [InlineData("", "", null)]
    public void Agent_image_comes_from_the_spec_else_the_operator(string? specImage, string? operatorDefault, string? expected)
    {
        Assert.Equal(expected, Defaults.AgentImage(new AgentSpec { Image = specImage }, operatorDefault));
    }
}
