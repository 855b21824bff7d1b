using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Models;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.Operator.Tests.Integration;

/// <summary>The agents' ServiceAccount may do exactly what an agent needs, as the real authorizer decides.</summary>
[Collection(OperatorCollection.Name)]
public sealed class AgentRbacTests(OperatorFixture fixture)
{
    /// <summary>One question to the authorizer. Namespace null means the cluster's own; "other" another namespace.</summary>
    public sealed record Access(string Verb, string Group, string Resource, string? Name, bool Allowed, string? Namespace = null, string? Subresource = null)
    {
        public override string ToString() =>
            $"{Verb} {Resource}{(Subresource is null ? "" : "/" + Subresource)}{(Group.Length > 0 ? "." + Group : "")}{(Name is null ? "" : " " + Name)}{(Namespace is null ? "" : $" in {Namespace}")}";
    }

    private const string Cluster = "rbac";

    public static readonly Access[] Table =
    [
        // What an agent does.
        new("get", "coordination.k8s.io", "leases", "rbac-member-0", true),
        new("update", "coordination.k8s.io", "leases", "rbac-member-2", true),
        new("get", "coordination.k8s.io", "leases", "rbac-leader", true),
        new("update", "coordination.k8s.io", "leases", "rbac-leader", true),
        new("list", "coordination.k8s.io", "leases", null, true),
        new("watch", "coordination.k8s.io", "leases", null, true),
        new("get", "discovery.k8s.io", "endpointslices", "rbac-ring", true),
        new("list", "discovery.k8s.io", "endpointslices", "rbac-ring", true),
        new("watch", "discovery.k8s.io", "endpointslices", "rbac-ring", true),
        new("get", "", "configmaps", "rbac-assignment", true),
        new("list", "", "configmaps", "rbac-assignment", true),
        new("watch", "", "configmaps", "rbac-assignment", true),
        new("update", "", "configmaps", "rbac-assignment", true),
        new("create", "", "events", null, true),
        new("patch", "", "events", "rbac-0.17c3", true),

        // Neighbours of that: other names, other verbs, other kinds, other namespaces.
        new("get", "coordination.k8s.io", "leases", "rbac-member-3", false),
        new("update", "coordination.k8s.io", "leases", "other-leader", false),
        new("update", "coordination.k8s.io", "leases", "datacluster-operator", false),
        new("create", "coordination.k8s.io", "leases", null, false),
        new("delete", "coordination.k8s.io", "leases", "rbac-member-0", false),
        new("patch", "coordination.k8s.io", "leases", "rbac-member-0", false),
        new("get", "coordination.k8s.io", "leases", "rbac-member-0", false, Namespace: "other"),
        new("list", "discovery.k8s.io", "endpointslices", null, false),
        new("get", "discovery.k8s.io", "endpointslices", "other-ring", false),
        new("update", "discovery.k8s.io", "endpointslices", "rbac-ring", false),
        new("delete", "discovery.k8s.io", "endpointslices", "rbac-ring", false),
        new("list", "", "configmaps", null, false),
        new("get", "", "configmaps", "other-assignment", false),
        new("create", "", "configmaps", null, false),
        new("delete", "", "configmaps", "rbac-assignment", false),
        new("patch", "", "configmaps", "rbac-assignment", false),
        new("get", "", "secrets", "rbac-peer-token", false),
        new("list", "", "secrets", null, false),
        new("get", "", "pods", "rbac-0", false),
        new("create", "", "pods", null, false),
        new("update", "", "pods", "rbac-0", false, Subresource: "status"),
        new("delete", "", "events", "rbac-0.17c3", false),
        new("get", "", "nodes", "node-a", false),
        new("get", DataClusterApi.Group, DataClusterApi.Plural, Cluster, false),
        new("update", "apps", "statefulsets", Cluster, false),
        new("create", "rbac.authorization.k8s.io", "rolebindings", null, false),
    ];

    [Fact]
    public async Task The_agent_ServiceAccount_is_allowed_exactly_what_the_agent_needs()
    {
        await fixture.RequireOperatorAsync();
        var ct = TestContext.Current.CancellationToken;
        var admin = fixture.Admin;
        var ns = await fixture.CreateNamespaceAsync("rbac");
        await Clusters.CreateAsync(admin, Clusters.New(ns, Cluster));
        await Eventually.UntilAsync(async () => await admin.GetAsync(KubeResources.RoleBindings, ns, ObjectNames.AgentRoleBinding(Cluster), ct) is not null
            && await admin.GetAsync(KubeResources.Roles, ns, ObjectNames.AgentRole(Cluster), ct) is not null,
            Converge.Timeout, "the agent Role and RoleBinding exist", () => fixture.OperatorLogTail);
        var user = $"system:serviceaccount:{ns}:{ObjectNames.AgentServiceAccount(Cluster)}";

        var wrong = new List<string>();
        foreach (var access in Table)
        {
            var review = await admin.CreateAsync(KubeResources.SubjectAccessReviews, new SubjectAccessReview
            {
                Spec = new SubjectAccessReviewSpec
                {
                    User = user,
                    Groups = ["system:serviceaccounts", $"system:serviceaccounts:{ns}", "system:authenticated"],
                    ResourceAttributes = new ResourceAttributes
                    {
                        Namespace = access.Resource == "nodes" ? null : access.Namespace == "other" ? fixture.OperatorNamespace : ns,
                        Verb = access.Verb,
                        Group = access.Group,
                        Resource = access.Resource,
                        Subresource = access.Subresource,
                        Name = access.Name,
                    },
                },
            }, ct);
            var allowed = review.Status?.Allowed == true;
            TestContext.Current.TestOutputHelper?.WriteLine($"{(allowed ? "allowed" : "denied "),-8} {access}");
            if (allowed != access.Allowed)
            {
                wrong.Add($"{access}: expected {(access.Allowed ? "allowed" : "denied")}, the authorizer says {(allowed ? "allowed" : "denied")}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }
}
