using System.Text.Json;
using DataCluster.Kube.Client;
using DataCluster.Kube.Discovery;
using DataCluster.Kube.Models;
using DataCluster.Kube.Tests.Support;
using DataCluster.Testing;
using static DataCluster.Kube.Tests.Integration.Api;

namespace DataCluster.Kube.Tests.Integration;

public sealed class DiscoveryTests(ControlPlaneFixture fixture)
{
    [Fact]
    public async Task Kinds_resolve_to_the_versions_this_server_serves()
    {
        using var client = Admin(fixture);
        var discovery = new ApiDiscovery(client);

        Assert.Equal("discovery.k8s.io/v1beta1", (await discovery.ResolveAsync(KubeResources.EndpointSlices, Ct)).ApiVersion);
        Assert.Equal("policy/v1beta1", (await discovery.ResolveAsync(KubeResources.PodDisruptionBudgets, Ct)).ApiVersion);
        Assert.Equal("coordination.k8s.io/v1", (await discovery.ResolveAsync(KubeResources.Leases, Ct)).ApiVersion);
        Assert.Equal("v1", (await discovery.ResolveAsync(KubeResources.ConfigMaps, Ct)).ApiVersion);

        // A kind known in a newer version first: the served older one is chosen.
        var leasesV2First = new ResourceType<Lease>("coordination.k8s.io", "v2", "Lease", "leases", true, KubeJsonContext.Default.Lease, KubeJsonContext.Default.KubeListLease, ["v2", "v1"]);
        Assert.Equal("coordination.k8s.io/v1", (await discovery.ResolveAsync(leasesV2First, Ct)).ApiVersion);

        var neverServed = new ResourceType<Lease>("example.invalid", "v9", "Lease", "leases", true, KubeJsonContext.Default.Lease, KubeJsonContext.Default.KubeListLease);
        var error = await Assert.ThrowsAsync<ResourceNotServedException>(() => discovery.ResolveAsync(neverServed, Ct));
        Assert.Contains("example.invalid/v9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_EndpointSlice_round_trips_through_v1beta1_in_the_v1_model()
    {
        var ns = await fixture.CreateNamespaceAsync("slices");
        using var client = Admin(fixture);
        var type = await new ApiDiscovery(client).ResolveAsync(KubeResources.EndpointSlices, Ct);

        var created = await client.CreateAsync(type, new EndpointSlice
        {
            Metadata = new ObjectMeta { Namespace = ns, Name = "ring", Labels = new() { ["endpointslice.kubernetes.io/managed-by"] = "datacluster.dev" } },
            AddressType = "IPv4",
            Endpoints =
            [
                new Endpoint
                {
                    Addresses = ["10.1.0.1"],
                    Hostname = "member-0",
                    Zone = "zone-a",
                    NodeName = "node-1",
                    Conditions = new EndpointConditions { Ready = true, Serving = true, Terminating = false },
                    TargetRef = new ObjectReference { Kind = "Pod", Namespace = ns, Name = "member-0" },
                },
            ],
            Ports = [new EndpointPort { Name = "peer", Port = 7000, Protocol = "TCP" }],
        }, Ct);

        var endpoint = Assert.Single(created.Endpoints);
        Assert.Equal("zone-a", endpoint.Zone);
        Assert.Equal("node-1", endpoint.NodeName);
        Assert.True(endpoint.Conditions!.Ready);
        Assert.Equal(KubeResources.EndpointSlices.ApiVersion, created.ApiVersion);

        // On the wire the server holds the v1beta1 shape.
        var raw = await client.GetPathAsync($"/apis/discovery.k8s.io/v1beta1/namespaces/{ns}/endpointslices/ring", TestJsonContext.Default.JsonElement, Ct);
        var topology = raw.GetProperty("endpoints")[0].GetProperty("topology");
        Assert.Equal("zone-a", topology.GetProperty("topology.kubernetes.io/zone").GetString());
        Assert.Equal("node-1", topology.GetProperty("kubernetes.io/hostname").GetString());

        // Read-modify-write and apply keep working through the same model.
        var read = (await client.GetAsync(type, ns, "ring", Ct))!;
        read.Endpoints[0].Conditions!.Ready = false;
        var updated = await client.UpdateAsync(type, read, Ct);
        Assert.False(updated.Endpoints[0].Conditions!.Ready);
        Assert.Equal("zone-a", updated.Endpoints[0].Zone);

        var listed = await client.ListAsync(type, ns, cancellationToken: Ct);
        Assert.Equal("zone-a", Assert.Single(listed.Items).Endpoints[0].Zone);
    }

    [Fact]
    public async Task A_PodDisruptionBudget_round_trips_through_v1beta1_in_the_v1_model()
    {
        var ns = await fixture.CreateNamespaceAsync("pdb");
        using var client = Admin(fixture);
        var type = await new ApiDiscovery(client).ResolveAsync(KubeResources.PodDisruptionBudgets, Ct);

        var applied = await client.ApplyAsync(type, new PodDisruptionBudget
        {
            Metadata = new ObjectMeta { Namespace = ns, Name = "members" },
            Spec = new PodDisruptionBudgetSpec
            {
                MaxUnavailable = 1,
                Selector = new LabelSelector { MatchLabels = new() { ["datacluster.dev/cluster"] = "demo" } },
            },
        }, new ApplyOptions("datacluster-test"), Ct);

        Assert.Equal(1, applied.Spec.MaxUnavailable!.Value.IntValue);
        Assert.Equal("demo", applied.Spec.Selector!.MatchLabels!["datacluster.dev/cluster"]);

        var again = await client.ApplyAsync(type, new PodDisruptionBudget
        {
            Metadata = new ObjectMeta { Namespace = ns, Name = "members" },
            Spec = new PodDisruptionBudgetSpec
            {
                MaxUnavailable = 1,
                Selector = new LabelSelector { MatchLabels = new() { ["datacluster.dev/cluster"] = "demo" } },
            },
        }, new ApplyOptions("datacluster-test"), Ct);
        Assert.Equal(applied.Metadata.ResourceVersion, again.Metadata.ResourceVersion);

        var raw = await client.GetPathAsync($"/apis/policy/v1beta1/namespaces/{ns}/poddisruptionbudgets/members", TestJsonContext.Default.JsonElement, Ct);
        Assert.Equal(1, raw.GetProperty("spec").GetProperty("maxUnavailable").GetInt32());
        Assert.Equal(JsonValueKind.Object, raw.GetProperty("spec").GetProperty("selector").ValueKind);
    }
}
