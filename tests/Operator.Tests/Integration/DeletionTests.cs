using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Operator.Api;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.Operator.Tests.Integration;

/// <summary>Deleting a DataCluster deletes everything it owns, its data included, by garbage collection alone.</summary>
[Collection(OperatorCollection.Name)]
public sealed class DeletionTests(OperatorFixture fixture)
{
    [Fact]
    public async Task Deleting_a_DataCluster_removes_every_owned_object_and_its_volume_claims_without_a_finalizer()
    {
        await fixture.RequireOperatorAsync();
        var admin = fixture.Admin;
        var ct = TestContext.Current.CancellationToken;
        var ns = await fixture.CreateNamespaceAsync("delete");
        await using var simulation = new Simulation(fixture, ns);
        var created = await Clusters.CreateAsync(admin, Clusters.New(ns, "doomed"));
        Assert.Null(created.Metadata.Finalizers);
        await Converge.ReadyAsync(fixture, ns, "doomed", 3);
        await Eventually.UntilAsync(async () => (await admin.ListAsync(KubeResources.PersistentVolumeClaims, ns, cancellationToken: ct)).Items
            .Count(c => c.Metadata.OwnerReferences?.Any(r => r.Uid == created.Metadata.Uid) == true) == 3,
            Converge.Timeout, "the volume claims are owned by the DataCluster", () => fixture.OperatorLogTail);

        await admin.DeleteAsync(DataClusterResource.Type, ns, "doomed", cancellationToken: ct);

        var selector = new ListOptions { LabelSelector = Converge.Label("doomed") };
        async Task<string> Remaining()
        {
            var left = new List<string>();
            void Add(string kind, int count)
            {
                if (count > 0)
                {
                    left.Add($"{count} {kind}");
                }
            }

            Add("StatefulSets", (await admin.ListAsync(KubeResources.StatefulSets, ns, selector, ct)).Items.Count);
            Add("Services", (await admin.ListAsync(KubeResources.Services, ns, selector, ct)).Items.Count);
            Add("EndpointSlices", (await admin.ListAsync(fixture.Slices, ns, selector, ct)).Items.Count);
            Add("PodDisruptionBudgets", (await admin.ListAsync(fixture.Budgets, ns, selector, ct)).Items.Count);
            Add("ServiceAccounts", (await admin.ListAsync(KubeResources.ServiceAccounts, ns, selector, ct)).Items.Count);
            Add("Roles", (await admin.ListAsync(KubeResources.Roles, ns, selector, ct)).Items.Count);
            Add("RoleBindings", (await admin.ListAsync(KubeResources.RoleBindings, ns, selector, ct)).Items.Count);
            Add("Secrets", (await admin.ListAsync(KubeResources.Secrets, ns, selector, ct)).Items.Count);
            Add("ConfigMaps", (await admin.ListAsync(KubeResources.ConfigMaps, ns, selector, ct)).Items.Count);
            Add("Leases", (await admin.ListAsync(KubeResources.Leases, ns, selector, ct)).Items.Count);
            Add("Pods", (await admin.ListAsync(KubeResources.Pods, ns, selector, ct)).Items.Count);
            Add("PersistentVolumeClaims", (await admin.ListAsync(KubeResources.PersistentVolumeClaims, ns, selector, ct)).Items.Count);
            Add("DataClusters", (await admin.ListAsync(DataClusterResource.Tolerant, ns, cancellationToken: ct)).Items.Count);
            return string.Join(", ", left);
        }

        string remaining = "";
        await Eventually.UntilAsync(async () => (remaining = await Remaining()).Length == 0,
            TimeSpan.FromSeconds(180), "the garbage collector has removed everything", () => $"left: {remaining}");
    }
}
