using System.Text.Json;
using System.Text.Json.Nodes;
using DataCluster.Contracts;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Crd;
using Xunit;

namespace DataCluster.Operator.Tests;

public class CrdTests
{
    private static readonly CustomResourceDefinition Crd = CrdGenerator.Generate();

    private static JsonSchemaProps Root => Crd.Spec.Versions.Single().Schema!.OpenApiV3Schema!;

    private static JsonSchemaProps Spec => Root.Properties!["spec"];

    private static JsonSchemaProps At(string path)
    {
        var schema = Root;
        foreach (var name in path.Split('.'))
        {
            schema = name == "[]" ? schema.Items! : schema.Properties![name];
        }

        return schema;
    }

    [Fact]
    public void Committed_CRD_matches_the_generated_one()
    {
        var committed = File.Exists(RepositoryFiles.PathOf(CrdGenerator.ManifestPath))
            ? RepositoryFiles.Read(CrdGenerator.ManifestPath)
            : "";
        Assert.True(
            committed == CrdGenerator.GenerateYaml(),
            $"{CrdGenerator.ManifestPath} differs from what the API types generate: run `make crds` and commit the result.");
    }

    [Fact]
    public void Manifest_reads_back_as_exactly_the_generated_CRD()
    {
        var fromYaml = Yaml.ToJson(CrdGenerator.GenerateYaml());
        var generated = Json.ToNode(Crd, KubeJsonContext.Default.CustomResourceDefinition);

        Assert.Equal(Json.Canonical(generated), Json.Canonical(fromYaml));
    }

    [Fact]
    public void Crd_is_namespaced_with_short_name_category_and_one_served_storage_version_with_status_subresource()
    {
        Assert.Equal("apiextensions.k8s.io/v1", Crd.ApiVersion);
        Assert.Equal("dataclusters.datacluster.dev", Crd.Metadata.Name);
        Assert.Equal("Namespaced", Crd.Spec.Scope);
        Assert.Equal(["dc"], Crd.Spec.Names.ShortNames!);
        Assert.Equal(["datacluster"], Crd.Spec.Names.Categories!);
        Assert.Equal("DataCluster", Crd.Spec.Names.Kind);
        var version = Assert.Single(Crd.Spec.Versions);
        Assert.Equal(DataClusterApi.Version, version.Name);
        Assert.True(version.Served);
        Assert.True(version.Storage);
        Assert.NotNull(version.Subresources?.Status);
        Assert.Null(version.Subresources.Scale);
    }

    [Fact]
    public void Printer_columns_show_ready_members_leader_epoch_and_age()
    {
        var columns = Crd.Spec.Versions.Single().AdditionalPrinterColumns!
            .Select(c => (c.Name, c.Type, c.JsonPath));

        Assert.Equal(
            [
                ("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status"),
                ("Members", "string", ".status.membersReady"),
                ("Leader", "string", ".status.leader"),
                ("Epoch", "integer", ".status.assignmentEpoch"),
                ("Age", "date", ".metadata.creationTimestamp"),
            ],
            columns);
    }

    [Theory]
    [InlineData("spec.replicas", "3")]
    [InlineData("spec.partitions", "256")]
    [InlineData("spec.replication.factor", "3")]
    [InlineData("spec.replication.commitLevel", "\"Quorum\"")]
    [InlineData("spec.replication.otherZoneReplicas", "0")]
    [InlineData("spec.replication.otherRegionReplicas", "0")]
    [InlineData("spec.replication.substitutes", "true")]
    [InlineData("spec.agent.leaseDurationSeconds", "6")]
    [InlineData("spec.agent.renewIntervalSeconds", "2")]
    [InlineData("spec.agent.logLevel", "\"Information\"")]
    [InlineData("spec.storage.size", "\"1Gi\"")]
    [InlineData("spec.topology.zoneLabel", "\"topology.kubernetes.io/zone\"")]
    [InlineData("spec.topology.regionLabel", "\"topology.kubernetes.io/region\"")]
    [InlineData("spec.scaleDown.drainDeadlineSeconds", "600")]
    [InlineData("spec.podDisruptionBudget.maxUnavailable", "1")]
    [InlineData("spec", "{}")]
    [InlineData("spec.replication", "{}")]
    [InlineData("spec.agent", "{}")]
    [InlineData("spec.storage", "{}")]
    [InlineData("spec.topology", "{}")]
    [InlineData("spec.scaleDown", "{}")]
    [InlineData("spec.podDisruptionBudget", "{}")]
    public void Schema_defaults_every_spec_field_that_has_one(string path, string expected)
    {
        Assert.Equal(expected, At(path).Default?.GetRawText());
    }

    [Theory]
    [InlineData("spec.agent.image")]
    [InlineData("spec.agent.imagePullPolicy")]
    [InlineData("spec.agent.resources")]
    [InlineData("spec.agent.appDeliveryUrl")]
    [InlineData("spec.agent.env")]
    [InlineData("spec.template")]
    [InlineData("spec.storage.storageClassName")]
    [InlineData("status")]
    [InlineData("status.readyMembers")]
    public void Schema_has_no_default_where_absence_means_something(string path)
    {
        Assert.Null(At(path).Default);
    }

    [Theory]
    [InlineData("spec.replicas", 1.0, null)]
    [InlineData("spec.partitions", 1.0, 65536.0)]
    [InlineData("spec.replication.factor", 1.0, 16.0)]
    [InlineData("spec.replication.otherZoneReplicas", 0.0, 15.0)]
    [InlineData("spec.replication.otherRegionReplicas", 0.0, 15.0)]
    [InlineData("spec.agent.leaseDurationSeconds", 2.0, 300.0)]
    [InlineData("spec.agent.renewIntervalSeconds", 1.0, 60.0)]
    [InlineData("spec.scaleDown.drainDeadlineSeconds", 1.0, null)]
    [InlineData("spec.podDisruptionBudget.maxUnavailable", 0.0, null)]
    public void Schema_bounds_numbers(string path, double minimum, double? maximum)
    {
        var schema = At(path);
        Assert.Equal("integer", schema.Type);
        Assert.Equal(minimum, schema.Minimum);
        Assert.Equal(maximum, schema.Maximum);
    }

    [Theory]
    [InlineData("spec.replication.commitLevel", "One,Quorum,All")]
    [InlineData("spec.agent.imagePullPolicy", "Always,IfNotPresent,Never")]
    [InlineData("spec.agent.logLevel", "Trace,Debug,Information,Warning,Error,Critical")]
    [InlineData("status.conditions.[].status", "True,False,Unknown")]
    public void Schema_lists_the_allowed_values_of_enumerations(string path, string values)
    {
        Assert.Equal(values.Split(','), At(path).Enum!.Select(v => v.GetString()));
    }

    [Fact]
    public void Schema_requires_the_identifying_fields_of_list_items()
    {
        Assert.Equal(["lastTransitionTime", "message", "reason", "status", "type"], At("status.conditions.[]").Required!);
        Assert.Equal(["name", "ordinal"], At("status.members.[]").Required!);
        Assert.Equal("map", At("status.conditions").XKubernetesListType);
        Assert.Equal(["type"], At("status.conditions").XKubernetesListMapKeys!);
    }

    [Fact]
    public void Embedded_kubernetes_types_keep_unknown_fields_and_quantities_accept_numbers_and_strings()
    {
        Assert.True(At("spec.template").XKubernetesPreserveUnknownFields);
        Assert.Equal("object", At("spec.template").Type);
        Assert.True(At("spec.agent.env.[]").XKubernetesPreserveUnknownFields);
        Assert.True(At("spec.storage.size").XKubernetesIntOrString);
        Assert.Null(At("spec.storage.size").Type);
        Assert.True(At("spec.agent.resources.requests").AdditionalProperties!.Schema!.XKubernetesIntOrString);
        Assert.True(At("spec.agent.resources.limits").AdditionalProperties!.Schema!.XKubernetesIntOrString);
    }

    [Fact]
    public void Every_field_is_described_for_kubectl_explain()
    {
        var undescribed = new List<string>();
        void Walk(JsonSchemaProps schema, string path)
        {
            foreach (var (name, child) in schema.Properties ?? [])
            {
                var childPath = $"{path}.{name}";
                if (string.IsNullOrWhiteSpace(child.Description) && childPath != ".metadata")
                {
                    undescribed.Add(childPath);
                }

                Walk(child, childPath);
            }

            if (schema.Items is { } items)
            {
                Walk(items, path + "[]");
            }
        }

        Walk(Root, "");
        Assert.Empty(undescribed);
    }

    [Fact]
    public void Manifest_uses_nothing_a_1_20_API_server_rejects()
    {
        var yaml = CrdGenerator.GenerateYaml();
        Assert.DoesNotContain("x-kubernetes-validations", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("selectableFields", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("messageExpression", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Spec_defaults_agree_with_the_agents_own_defaults()
    {
        string AgentDefault(string variable) => AgentEnvironment.All.Single(v => v.Name == variable).Default!;

        Assert.Equal(AgentDefault(AgentEnvironment.LeaseDurationSeconds), Limits.LeaseDurationSeconds.Default.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(AgentDefault(AgentEnvironment.RenewIntervalSeconds), Limits.RenewIntervalSeconds.Default.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(AgentDefault(AgentEnvironment.Partitions), Limits.Partitions.Default.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(AgentDefault(AgentEnvironment.ReplicationFactor), Limits.ReplicationFactor.Default.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(CommitLevels.Default, AgentDefault(AgentEnvironment.CommitLevel));
        Assert.Equal(Defaults.LogLevel, AgentDefault(AgentEnvironment.LogLevel));
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("true", "\"true\"")]
    [InlineData("No", "\"No\"")]
    [InlineData("null", "\"null\"")]
    [InlineData("3", "\"3\"")]
    [InlineData("1Gi", "\"1Gi\"")]
    [InlineData("a: b", "\"a: b\"")]
    [InlineData("a #b", "\"a #b\"")]
    [InlineData("-x", "\"-x\"")]
    [InlineData("", "\"\"")]
    [InlineData("say \"hi\"\n", "\"say \\\"hi\\\"\\n\"")]
    [InlineData("topology.kubernetes.io/zone", "topology.kubernetes.io/zone")]
    public void Yaml_writer_quotes_strings_that_would_read_back_as_something_else(string text, string expected)
    {
        var yaml = YamlWriter.Write(JsonSerializer.SerializeToElement(new JsonObject { ["k"] = text }));

        Assert.Equal($"k: {expected}\n", yaml);
        Assert.Equal(text, Yaml.ToJson(yaml)!["k"]!.GetValue<string>());
    }
}
