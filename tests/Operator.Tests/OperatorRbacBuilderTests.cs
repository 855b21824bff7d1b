using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using DataCluster.Operator.Rbac;
using Xunit;

namespace DataCluster.Operator.Tests;

public class OperatorRbacBuilderTests
{
    private static bool Covers(IEnumerable<PolicyRule> rules, string group, string resource, string verb) =>
        rules.Any(r => r.ApiGroups!.Contains(group) && r.Resources!.Contains(resource) && r.Verbs.Contains(verb) && r.ResourceNames is null);

    [Fact]
    public void The_operator_holds_every_permission_it_grants_the_agents_so_RBAC_lets_it_create_their_Role()
    {
        var operatorRules = OperatorRbacBuilder.ClusterRole().Rules!;
        var agentRole = AgentRbacBuilder.Role(Defaults.Apply(TestClusters.Create()), 5);

        foreach (var rule in agentRole.Rules!)
        {
            foreach (var (group, resource, verb) in from g in rule.ApiGroups! from r in rule.Resources! from v in rule.Verbs select (g, r, v))
            {
                Assert.True(Covers(operatorRules, group, resource, verb), $"the operator lacks {verb} {resource}.{group}");
            }
        }
    }

    [Theory]
    [InlineData("datacluster.dev", "dataclusters", "watch")]
    [InlineData("datacluster.dev", "dataclusters/status", "update")]
    [InlineData("datacluster.dev", "dataclusters/finalizers", "update")]
    [InlineData("apps", "statefulsets", "patch")]
    [InlineData("", "secrets", "create")]
    [InlineData("", "persistentvolumeclaims", "patch")]
    [InlineData("", "nodes", "list")]
    [InlineData("", "events", "list")]
    [InlineData("discovery.k8s.io", "endpointslices", "delete")]
    [InlineData("policy", "poddisruptionbudgets", "patch")]
    [InlineData("rbac.authorization.k8s.io", "roles", "patch")]
    [InlineData("coordination.k8s.io", "leases", "create")]
    public void The_operator_may_do_what_it_does(string group, string resource, string verb)
    {
        Assert.True(Covers(OperatorRbacBuilder.ClusterRole().Rules!, group, resource, verb));
    }

    [Theory]
    [InlineData("", "pods", "delete")]
    [InlineData("", "pods", "update")]
    [InlineData("", "nodes", "update")]
    [InlineData("", "secrets", "delete")]
    [InlineData("apps", "statefulsets", "delete")]
    [InlineData("datacluster.dev", "dataclusters", "update")]
    [InlineData("rbac.authorization.k8s.io", "roles", "escalate")]
    [InlineData("rbac.authorization.k8s.io", "roles", "bind")]
    [InlineData("rbac.authorization.k8s.io", "clusterroles", "create")]
    public void The_operator_may_not_do_what_it_does_not_need(string group, string resource, string verb)
    {
        Assert.DoesNotContain(OperatorRbacBuilder.ClusterRole().Rules!, r =>
            (r.ApiGroups!.Contains(group) || r.ApiGroups.Contains("*")) && (r.Resources!.Contains(resource) || r.Resources.Contains("*")) && (r.Verbs.Contains(verb) || r.Verbs.Contains("*")));
    }

    [Fact]
    public void The_binding_grants_the_ClusterRole_to_the_operators_ServiceAccount()
    {
        var binding = OperatorRbacBuilder.ClusterRoleBinding("ops");

        Assert.Equal(("ClusterRole", "datacluster-operator"), (binding.RoleRef.Kind, binding.RoleRef.Name));
        var subject = Assert.Single(binding.Subjects!);
        Assert.Equal(("ServiceAccount", "datacluster-operator", "ops"), (subject.Kind, subject.Name, subject.Namespace));
    }

    [Fact]
    public void Generate_rbac_writes_both_documents_and_rejects_unknown_arguments()
    {
        using var output = new StringWriter();
        Assert.Equal(0, RbacCommand.Run(["--namespace", "ops"], output, TextWriter.Null));
        var documents = output.ToString().Split("\n---\n");
        Assert.Equal(2, documents.Length);
        Assert.Contains("kind: ClusterRole\n", documents[0], StringComparison.Ordinal);
        Assert.Contains("kind: ClusterRoleBinding\n", documents[1], StringComparison.Ordinal);
        Assert.Contains("namespace: ops", documents[1], StringComparison.Ordinal);

        using var error = new StringWriter();
        Assert.Equal(2, RbacCommand.Run(["--bogus"], TextWriter.Null, error));
        Assert.Contains("usage: generate-rbac", error.ToString(), StringComparison.Ordinal);
    }
}
