using DataCluster.Kube.Conversion;
using DataCluster.Kube.Models;
using Xunit;

namespace DataCluster.Kube.Tests.Models;

/// <summary>PodDisruptionBudgets exchanged with a server that serves only policy/v1beta1.</summary>
public sealed class PodDisruptionBudgetConversionTests
{
    private static readonly ResourceType<PodDisruptionBudget> V1 = KubeResources.PodDisruptionBudgets;
    private static readonly ResourceType<PodDisruptionBudget> V1Beta1 = KubeResources.PodDisruptionBudgets.WithVersion("v1beta1");

    [Fact]
    public void V1beta1_descriptor_addresses_the_v1beta1_api()
    {
        Assert.IsType<ConvertedResourceType<PodDisruptionBudget>>(V1Beta1);
        Assert.Equal("/apis/policy/v1beta1/namespaces/shop/poddisruptionbudgets", V1Beta1.CollectionPath("shop"));
        Assert.Same(V1, V1Beta1.WithVersion("v1"));
    }

    [Fact]
    public void V1beta1_budget_from_a_1_20_server_reads_into_the_v1_model()
    {
        var budget = Json.Read(V1Beta1, ServerSamples.PodDisruptionBudgetV1Beta1);

        Assert.Equal("policy/v1", budget.ApiVersion);
        Assert.Equal(new IntOrString(1), budget.Spec.MaxUnavailable);
        Assert.Null(budget.Spec.MinAvailable);
        Assert.Equal("orders", budget.Spec.Selector!.MatchLabels!["app.kubernetes.io/name"]);
        Assert.Equal(0, budget.Status!.DisruptionsAllowed);
        Assert.Equal(2, budget.Status.CurrentHealthy);
        Assert.Equal(2, budget.Status.DesiredHealthy);
        Assert.Equal(3, budget.Status.ExpectedPods);
        Assert.Equal(1, budget.Status.ObservedGeneration);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 10, 20, 0, TimeSpan.Zero), budget.Status.DisruptedPods!["orders-2"]);
    }

    [Fact]
    public void V1_budget_is_written_as_v1beta1_with_the_same_fields()
    {
        var budget = Budget();
        budget.ApiVersion = "policy/v1";

        var v1 = Json.Write(V1, Budget());
        var v1beta1 = Json.Write(V1Beta1, budget);

        Assert.Equal("policy/v1beta1", (string?)v1beta1["apiVersion"]);
        Assert.Equal("PodDisruptionBudget", (string?)v1beta1["kind"]);
        v1beta1["apiVersion"] = "policy/v1";
        Json.Equal(v1, v1beta1);
        Assert.Equal("policy/v1", budget.ApiVersion);
    }

    [Fact]
    public void V1_to_v1beta1_to_v1_round_trip_is_lossless()
    {
        var original = Budget();
        original.ApiVersion = "policy/v1";
        original.Kind = "PodDisruptionBudget";

        var back = V1Beta1.Read(V1Beta1.Serialize(original));

        Json.Equal(Json.Node(V1.Serialize(original)), Json.Node(V1.Serialize(back)));
    }

    private static PodDisruptionBudget Budget() => new()
    {
        Metadata = { Name = "orders", Namespace = "shop" },
        Spec =
        {
            MinAvailable = "51%",
            Selector = new() { MatchLabels = new() { ["app.kubernetes.io/name"] = "orders" } },
            UnhealthyPodEvictionPolicy = "AlwaysAllow",
        },
    };
}
