using System.Text.Json;
using DataCluster.Chart.Tests.Support;
using DataCluster.ChartReadme;
using DataCluster.Kube.Models;
using DataCluster.Operator.Crd;
using DataCluster.Operator.Rbac;
using Xunit;

namespace DataCluster.Chart.Tests.Chart;

/// <summary>The chart's generated and repeated files agree with their sources.</summary>
public sealed class ChartFilesTests
{
    private const string ChartCrd = $"{Repository.Chart}/crds/datacluster.dev_dataclusters.yaml";

    [Fact]
    public void The_chart_carries_the_same_CRD_as_crds()
    {
        Assert.True(
            Repository.Exists(ChartCrd) && Repository.Read(ChartCrd) == Repository.Read(CrdGenerator.ManifestPath),
            $"{ChartCrd} differs from {CrdGenerator.ManifestPath}: run `make crds` and commit both.");
    }

    [Fact]
    public void The_chart_ClusterRole_template_is_generated_from_the_operators_RBAC_builder()
    {
        Assert.True(
            Repository.Read(RbacCommand.ChartTemplatePath) == RbacCommand.ChartTemplate(),
            $"{RbacCommand.ChartTemplatePath} differs from what operator/Rbac generates: run `make generate` and commit the result.");
    }

    [Fact]
    public async Task The_rendered_ClusterRole_grants_exactly_the_operators_rules_and_is_bound_to_its_ServiceAccount()
    {
        var rendered = await Helm.RenderAsync("datacluster-system", null);
        var expected = JsonSerializer.SerializeToNode(OperatorRbacBuilder.ClusterRole(), KubeJsonContext.Default.ClusterRole)!["rules"]!;

        var role = rendered.Single("ClusterRole");
        Assert.Equal(JsonText.Canonical(expected), JsonText.Canonical(role["rules"]));
        var binding = rendered.Single("ClusterRoleBinding");
        Assert.Equal((string?)role["metadata"]!["name"], (string?)binding["roleRef"]!["name"]);
        Assert.Equal((string?)rendered.Single("ServiceAccount")["metadata"]!["name"], (string?)binding["subjects"]![0]!["name"]);
    }

    [Fact]
    public void The_values_table_in_the_chart_README_is_current()
    {
        var readme = Repository.Read($"{Repository.Chart}/README.md");
        var table = ValuesTable.Markdown(ValuesTable.Rows(Repository.Read($"{Repository.Chart}/values.yaml"), Repository.Read($"{Repository.Chart}/values.schema.json")));

        Assert.True(ValuesTable.Update(readme, table) == readme, $"The values table in {Repository.Chart}/README.md is stale: run `make generate` and commit the result.");
    }

    [Fact]
    public void Every_value_is_documented_and_typed_in_the_schema()
    {
        var values = Repository.Read($"{Repository.Chart}/values.yaml");

        Assert.Empty(ValuesTable.Undocumented(values));
        Assert.NotEmpty(ValuesTable.Rows(values, Repository.Read($"{Repository.Chart}/values.schema.json")));
    }

    [Fact]
    public void Chart_version_and_appVersion_are_the_release_version_in_VERSION()
    {
        var version = Repository.Read("VERSION").Trim();

        Assert.Equal((version, version), (ChartFacts.Version, ChartFacts.AppVersion));
    }
}
