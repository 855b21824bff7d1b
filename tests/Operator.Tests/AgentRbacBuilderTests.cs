using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using Xunit;

namespace DataCluster.Operator.Tests;

public class AgentRbacBuilderTests
{
    private static string Describe(Kube.Models.PolicyRule rule) =>
        $"{string.Join(",", rule.ApiGroups!)}|{string.Join(",", rule.Resources!)}|{string.Join(",", rule.Verbs)}|{(rule.ResourceNames is null ? "*" : string.Join(",", rule.ResourceNames))}";

    [Fact]
    public void Role_grants_exactly_what_the_agents_do_on_the_clusters_own_objects()
    {
        var role = AgentRbacBuilder.Role(Defaults.Apply(TestClusters.Create()), memberLeases: 3);

        Assert.Equal(
            [
                "coordination.k8s.io|leases|get,update|demo-member-0,demo-member-1,demo-member-2,demo-leader",
                "coordination.k8s.io|leases|list,watch|*",
                "discovery.k8s.io|endpointslices|get,list,watch|demo-ring",
                "|configmaps|get,list,watch,update|demo-assignment",
                "|events|create,patch|*",
            ],
            role.Rules!.Select(Describe));
    }

    [Fact]
    public void Role_follows_the_member_count_so_a_scaled_cluster_renews_every_lease()
    {
        var role = AgentRbacBuilder.Role(Defaults.Apply(TestClusters.Create()), memberLeases: 5);

        Assert.Equal(
            ["demo-member-0", "demo-member-1", "demo-member-2", "demo-member-3", "demo-member-4", "demo-leader"],
            role.Rules![0].ResourceNames!);
    }

    [Fact]
    public void Role_never_grants_create_or_delete_on_cluster_objects_nor_touches_secrets_pods_or_nodes()
    {
        var role = AgentRbacBuilder.Role(Defaults.Apply(TestClusters.Create()), memberLeases: 3);

        Assert.All(role.Rules!, rule =>
        {
            string[] allowed = rule.Resources!.SequenceEqual(["events"]) ? ["create", "patch"] : ["get", "list", "watch", "update"];
            Assert.Empty(rule.Verbs.Except(allowed));
        });
        Assert.DoesNotContain(role.Rules!.SelectMany(r => r.Resources!), r => r is "secrets" or "pods" or "nodes" or "*");
    }

    [Fact]
    public void RoleBinding_grants_the_role_to_the_agents_service_account()
    {
        var binding = AgentRbacBuilder.RoleBinding(Defaults.Apply(TestClusters.Create()));

        var subject = Assert.Single(binding.Subjects!);
        Assert.Equal(("ServiceAccount", "demo-agent", TestClusters.Namespace), (subject.Kind, subject.Name, subject.Namespace));
        Assert.Equal(("rbac.authorization.k8s.io", "Role", "demo-agent"), (binding.RoleRef.ApiGroup, binding.RoleRef.Kind, binding.RoleRef.Name));
    }
}
