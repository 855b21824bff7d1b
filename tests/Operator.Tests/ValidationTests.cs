using System.Text.Json;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using Xunit;

namespace DataCluster.Operator.Tests;

public class ValidationTests
{
    public sealed record Case(string Description, Action<Api.DataCluster> Break, string Field, string MessageContains);

    private static readonly Case[] InvalidCases =
    [
        new("factor above replicas", c => { c.Spec.Replicas = 3; c.Spec.Replication.Factor = 5; },
            "spec.replication.factor", "spec.replication.factor (5) is greater than spec.replicas (3): lower the factor to at most 3 or raise replicas to at least 5"),
        new("placement asks for more replicas than the factor", c => { c.Spec.Replication.Factor = 3; c.Spec.Replication.OtherZoneReplicas = 2; c.Spec.Replication.OtherRegionReplicas = 1; },
            "spec.replication", "lower them to 2 in total or raise the factor to at least 4"),
        new("partitions changed after creation", c => { c.Status = new DataClusterStatus { Partitions = 256 }; c.Spec.Partitions = 512; },
            "spec.partitions", "set spec.partitions back to 256"),
        new("renew interval not below lease duration", c => { c.Spec.Agent.LeaseDurationSeconds = 6; c.Spec.Agent.RenewIntervalSeconds = 6; },
            "spec.agent.renewIntervalSeconds", "lower renewIntervalSeconds to 2 (a third of the duration) or raise leaseDurationSeconds to at least 18"),
        new("no agent image anywhere", c => c.Spec.Agent.Image = "",
            "spec.agent.image", "set spec.agent.image, or start the operator with --agent-image"),
        new("app container named like the agent", c => c.Spec.Template = Template(new Container { Name = "datacluster-agent", Image = "app" }),
            "spec.template.spec.containers[0].name", "rename your container"),
        new("app container on the agent's client port", c => c.Spec.Template = Template(new Container { Name = "app", Ports = [new ContainerPort { Port = 8080 }] }),
            "spec.template.spec.containers[0].ports", "move your container to another port"),
        new("app sidecar on the agent's peer port", c => c.Spec.Template = Template(initContainers: [new Container { Name = "proxy", Ports = [new ContainerPort { Port = 7070 }] }]),
            "spec.template.spec.initContainers[0].ports", "declares port 7070"),
        new("app volume named data", c => c.Spec.Template = Template(volumes: [new Volume { Name = "data", EmptyDir = new EmptyDirVolumeSource() }]),
            "spec.template.spec.volumes[0].name", "rename your volume"),
        new("app volume named peer-token", c => c.Spec.Template = Template(volumes: [new Volume { Name = "peer-token", EmptyDir = new EmptyDirVolumeSource() }]),
            "spec.template.spec.volumes[0].name", "rename your volume"),
        new("pods that do not restart", c => { c.Spec.Template = Template(new Container { Name = "app" }); c.Spec.Template.Spec.RestartPolicy = "Never"; },
            "spec.template.spec.restartPolicy", "remove restartPolicy or set it to Always"),
        new("name too long for the StatefulSet", c => c.Metadata.Name = new string('a', 53),
            "metadata.name", "create it again under a name of at most 52"),
        new("name that is not a DNS label", c => c.Metadata.Name = "9lives",
            "metadata.name", "starting with a letter"),
        new("zero replicas (schema bypassed)", c => c.Spec.Replicas = 0,
            "spec.replicas", "must be at least 1"),
        new("too many partitions (schema bypassed)", c => c.Spec.Partitions = 70000,
            "spec.partitions", "between 1 and 65536"),
        new("unknown commit level (schema bypassed)", c => c.Spec.Replication.CommitLevel = "Majority",
            "spec.replication.commitLevel", "use One, Quorum or All"),
        new("lease duration out of range (schema bypassed)", c => c.Spec.Agent.LeaseDurationSeconds = 1,
            "spec.agent.leaseDurationSeconds", "between 2 and 300"),
        new("delivery URL that is not http", c => c.Spec.Agent.AppDeliveryUrl = "ftp://localhost/events",
            "spec.agent.appDeliveryUrl", "write it like http://localhost:9000/events"),
        new("storage size that is not a quantity", c => c.Spec.Storage.Size = "lots",
            "spec.storage.size", "write it like 1Gi"),
        new("resource request that is not a quantity", c => c.Spec.Agent.Resources = new AgentResources { Requests = new() { ["memory"] = "64 MB" } },
            "spec.agent.resources.requests.memory", "write it like 500m, 2 or 256Mi"),
        new("env var without a name", c => c.Spec.Agent.Env = [new EnvVar { Value = "x" }],
            "spec.agent.env[0].name", "give every variable a name"),
        new("env var named twice", c => c.Spec.Agent.Env = [new EnvVar { Name = "OTEL_SERVICE_NAME", Value = "a" }, new EnvVar { Name = "LANG", Value = "C" }, new EnvVar { Name = "OTEL_SERVICE_NAME", Value = "b" }],
            "spec.agent.env[2].name", "'OTEL_SERVICE_NAME' is already given by spec.agent.env[0]"),
        new("negative disruption budget (schema bypassed)", c => c.Spec.PodDisruptionBudget.MaxUnavailable = -1,
            "spec.podDisruptionBudget.maxUnavailable", "set it to 0 or more"),
    ];

    public static TheoryData<string> InvalidCaseNames() => [.. InvalidCases.Select(c => c.Description)];

    [Theory]
    [MemberData(nameof(InvalidCaseNames))]
    public void Invalid_spec_yields_one_problem_that_says_how_to_fix_it(string description)
    {
        var @case = InvalidCases.Single(c => c.Description == description);
        var cluster = TestClusters.Create();
        @case.Break(cluster);

        var defaultImage = description == "no agent image anywhere" ? null : TestClusters.AgentImage;

        var problems = Validation.Validate(Defaults.Apply(cluster), defaultImage);

        var problem = Assert.Single(problems);
        Assert.Equal(@case.Field, problem.Field);
        Assert.Contains(@case.MessageContains, problem.Message, StringComparison.Ordinal);
        Assert.Contains(": ", problem.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> ValidCaseNames() =>
    [
        "defaults", "one member with factor one", "factor equal to replicas", "placement using every spare replica",
        "image from the spec only", "app template with its own ports and volumes", "partitions unchanged since creation",
    ];

    [Theory]
    [MemberData(nameof(ValidCaseNames))]
    public void Valid_spec_yields_no_problems(string description)
    {
        var cluster = TestClusters.Create();
        string? defaultImage = TestClusters.AgentImage;
        switch (description)
        {
            case "one member with factor one":
                cluster.Spec.Replicas = 1;
                cluster.Spec.Replication.Factor = 1;
                break;
            case "factor equal to replicas":
                cluster.Spec.Replicas = 5;
                cluster.Spec.Replication.Factor = 5;
                break;
            case "placement using every spare replica":
                cluster.Spec.Replication.OtherZoneReplicas = 1;
                cluster.Spec.Replication.OtherRegionReplicas = 1;
                break;
            case "image from the spec only":
                cluster.Spec.Agent.Image = "registry.example/agent:2";
                defaultImage = null;
                break;
            case "app template with its own ports and volumes":
                cluster.Spec.Template = TestClusters.AppTemplate();
                cluster.Spec.Agent.AppDeliveryUrl = "http://localhost:9000/events";
                cluster.Spec.Agent.Resources = new AgentResources { Requests = new() { ["cpu"] = "100m", ["memory"] = "64Mi" }, Limits = new() { ["cpu"] = "2" } };
                break;
            case "partitions unchanged since creation":
                cluster.Status = new DataClusterStatus { Partitions = 256 };
                break;
        }

        Assert.Empty(Validation.Validate(Defaults.Apply(cluster), defaultImage));
    }

    [Fact]
    public void Several_problems_are_all_reported()
    {
        var cluster = TestClusters.Create(spec =>
        {
            spec.Replicas = 2;
            spec.Replication.Factor = 3;
            spec.Agent.RenewIntervalSeconds = 10;
        });

        var fields = Validation.Validate(Defaults.Apply(cluster), TestClusters.AgentImage).Select(p => p.Field);

        Assert.Equal(["spec.replication.factor", "spec.agent.renewIntervalSeconds"], fields);
    }

    [Fact]
    public void Sections_sent_as_null_are_validated_as_their_defaults_instead_of_crashing()
    {
        var cluster = JsonSerializer.Deserialize(
            """{"metadata":{"name":"demo"},"spec":{"replication":null,"agent":null,"storage":null,"topology":null,"scaleDown":null,"podDisruptionBudget":null,"template":{"spec":{"containers":[null]}}}}""",
            OperatorJsonContext.Default.DataCluster)!;

        Assert.Empty(Validation.Validate(Defaults.Apply(cluster), TestClusters.AgentImage));
    }

    [Fact]
    public void A_cluster_without_metadata_is_reported_instead_of_crashing()
    {
        var cluster = JsonSerializer.Deserialize("""{"metadata":null,"spec":null}""", OperatorJsonContext.Default.DataCluster)!;

        var problem = Assert.Single(Validation.Validate(Defaults.Apply(cluster), TestClusters.AgentImage));

        Assert.Equal("metadata.name", problem.Field);
    }

    [Fact]
    public void Validation_does_not_change_its_input()
    {
        var cluster = JsonSerializer.Deserialize("""{"metadata":{"name":"demo"},"spec":{"replication":null}}""", OperatorJsonContext.Default.DataCluster)!;

        Validation.Validate(Defaults.Apply(cluster), TestClusters.AgentImage);

        Assert.Null(cluster.Spec.Replication);
    }

    private static PodTemplateSpec Template(Container? container = null, List<Container>? initContainers = null, List<Volume>? volumes = null) => new()
    {
        Spec = new PodSpec
        {
            Containers = container is null ? [] : [container],
            InitContainers = initContainers,
            Volumes = volumes,
        },
    };
}
