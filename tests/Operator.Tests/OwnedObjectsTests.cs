using DataCluster.Contracts;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using Xunit;

namespace DataCluster.Operator.Tests;

public class OwnedObjectsTests
{
    private static readonly BuilderOptions Options = new() { DefaultAgentImage = TestClusters.AgentImage };

    public static TheoryData<string> Kinds() =>
    [
        "StatefulSet", "PeerService", "ClientService", "RingService", "RingEndpointSlice", "PodDisruptionBudget",
        "ServiceAccount", "Role", "RoleBinding", "Secret", "MemberLease", "LeaderLease", "ConfigMap",
    ];

    private static (IKubernetesObject Object, string Name, string Component) Build(string kind)
    {
        var cluster = TestClusters.Create();
        var now = DateTimeOffset.UnixEpoch;
        return kind switch
        {
            "StatefulSet" => (StatefulSetBuilder.Build(Defaults.Apply(cluster), Options), "demo", Components.Member),
            "PeerService" => (ServiceBuilders.Peer(Defaults.Apply(cluster)), "demo-peers", Components.Member),
            "ClientService" => (ServiceBuilders.Client(Defaults.Apply(cluster)), "demo", Components.Member),
            "RingService" => (ServiceBuilders.Ring(Defaults.Apply(cluster)), "demo-ring", Components.Ring),
            "RingEndpointSlice" => (RingEndpointSliceBuilder.Build(Defaults.Apply(cluster), [], null, 0, now).Slice, "demo-ring", Components.Ring),
            "PodDisruptionBudget" => (PodDisruptionBudgetBuilder.Build(Defaults.Apply(cluster)), "demo", Components.Member),
            "ServiceAccount" => (AgentRbacBuilder.ServiceAccount(Defaults.Apply(cluster)), "demo-agent", Components.Agent),
            "Role" => (AgentRbacBuilder.Role(Defaults.Apply(cluster), 3), "demo-agent", Components.Agent),
            "RoleBinding" => (AgentRbacBuilder.RoleBinding(Defaults.Apply(cluster)), "demo-agent", Components.Agent),
            "Secret" => (SecretBuilder.PeerToken(Defaults.Apply(cluster), null, SecretBuilder.NewToken()), "demo-peer-token", Components.Agent),
            "MemberLease" => (LeaseBuilder.MemberLease(Defaults.Apply(cluster), 2), "demo-member-2", Components.Ring),
            "LeaderLease" => (LeaseBuilder.LeaderLease(Defaults.Apply(cluster)), "demo-leader", Components.Ring),
            "ConfigMap" => (ConfigMapBuilder.Assignment(Defaults.Apply(cluster)), "demo-assignment", Components.Ring),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Owned_object_is_named_after_the_cluster_in_its_namespace(string kind)
    {
        var (obj, name, _) = Build(kind);

        Assert.Equal(name, obj.Metadata.Name);
        Assert.Equal(TestClusters.Namespace, obj.Metadata.Namespace);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Owned_object_has_a_blocking_controller_reference_to_the_cluster(string kind)
    {
        var (obj, _, _) = Build(kind);

        var owner = Assert.Single(obj.Metadata.OwnerReferences!);
        Assert.Equal(
            ("datacluster.dev/v1alpha1", "DataCluster", "demo", TestClusters.Uid, true, true),
            (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Owned_object_carries_the_standard_labels(string kind)
    {
        var (obj, _, component) = Build(kind);

        var labels = obj.Metadata.Labels!;
        Assert.Equal("datacluster", labels[LabelKeys.Name]);
        Assert.Equal("demo", labels[LabelKeys.Instance]);
        Assert.Equal(component, labels[LabelKeys.Component]);
        Assert.Equal("datacluster", labels[LabelKeys.PartOf]);
        Assert.Equal("datacluster-operator", labels[LabelKeys.ManagedBy]);
        Assert.Equal("demo", labels[LabelKeys.Cluster]);
    }

    [Fact]
    public void Builders_refuse_a_cluster_without_uid_because_the_owner_reference_needs_one()
    {
        var cluster = TestClusters.Create();
        cluster.Metadata.Uid = null;

        var error = Assert.Throws<ArgumentException>(() => ServiceBuilders.Client(Defaults.Apply(cluster)));
        Assert.Contains("metadata.uid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Assignment_ConfigMap_is_an_empty_placeholder()
    {
        var configMap = ConfigMapBuilder.Assignment(Defaults.Apply(TestClusters.Create()));

        Assert.Null(configMap.Data);
        Assert.Null(configMap.BinaryData);
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(2, "2")]
    public void PodDisruptionBudget_limits_unavailable_members_over_the_pod_selector(int maxUnavailable, string expected)
    {
        var budget = PodDisruptionBudgetBuilder.Build(Defaults.Apply(TestClusters.Create(spec => spec.PodDisruptionBudget.MaxUnavailable = maxUnavailable)));

        Assert.Equal(expected, budget.Spec.MaxUnavailable.ToString());
        Assert.True(budget.Spec.MaxUnavailable!.Value.IsInt);
        Assert.Null(budget.Spec.MinAvailable);
        Assert.Equal(Labels.Selector("demo"), budget.Spec.Selector!.MatchLabels);
    }
}
