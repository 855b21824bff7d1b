using System.Net;
using System.Text.Json;
using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.Kube.Discovery;
using DataCluster.Kube.Models;
using DataCluster.Kube.Tests.Support;

namespace DataCluster.Kube.Tests.Discovery;

public sealed class ApiDiscoveryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A server that serves discovery.k8s.io in <paramref name="discoveryVersions"/> and policy only as v1beta1.</summary>
    private static (KubeClient, StubHandler) Server(params string[] discoveryVersions)
    {
        var handler = new StubHandler((request, _) =>
        {
            var path = request.RequestUri!.AbsolutePath;
            var json = path switch
            {
                "/api" => """{"kind":"APIVersions","versions":["v1"]}""",
                "/apis" => $$"""
                    {"kind":"APIGroupList","groups":[
                      {"name":"discovery.k8s.io","versions":[{{string.Join(",", discoveryVersions.Select(v => $$"""{"groupVersion":"discovery.k8s.io/{{v}}","version":"{{v}}"}"""))}}]},
                      {"name":"policy","versions":[{"groupVersion":"policy/v1beta1","version":"v1beta1"}]}
                    ]}
                    """,
                "/apis/discovery.k8s.io/v1" or "/apis/discovery.k8s.io/v1beta1" =>
                    """{"kind":"APIResourceList","resources":[{"name":"endpointslices","namespaced":true,"kind":"EndpointSlice","verbs":["get","list"]}]}""",
                "/apis/policy/v1beta1" =>
                    """{"kind":"APIResourceList","resources":[{"name":"poddisruptionbudgets","namespaced":true,"kind":"PodDisruptionBudget","verbs":["get"]},{"name":"poddisruptionbudgets/status","namespaced":true,"kind":"PodDisruptionBudget","verbs":["get"]}]}""",
                _ => null,
            };
            return json is null
                ? StubHandler.Json(HttpStatusCode.NotFound, """{"kind":"Status","reason":"NotFound","code":404,"message":"the server could not find the requested resource"}""")
                : StubHandler.Json(HttpStatusCode.OK, json);
        });
        return (new KubeClient(new KubeConfig { Server = new Uri("https://k") }, handler), handler);
    }

    [Fact]
    public async Task The_first_served_version_in_preference_order_wins()
    {
        var (newer, _) = Server("v1", "v1beta1");
        var (older, _) = Server("v1beta1");
        using (newer)
        using (older)
        {
            Assert.Equal("discovery.k8s.io/v1", (await new ApiDiscovery(newer).ResolveAsync(KubeResources.EndpointSlices, Ct)).ApiVersion);
            var resolved = await new ApiDiscovery(older).ResolveAsync(KubeResources.EndpointSlices, Ct);
            Assert.Equal("discovery.k8s.io/v1beta1", resolved.ApiVersion);
            Assert.Equal("/apis/discovery.k8s.io/v1beta1/namespaces/ns/endpointslices", resolved.CollectionPath("ns"));
            Assert.Equal("policy/v1beta1", (await new ApiDiscovery(older).ResolveAsync(KubeResources.PodDisruptionBudgets, Ct)).ApiVersion);
        }
    }

    [Fact]
    public async Task A_group_version_without_the_resource_does_not_count()
    {
        var (client, _) = Server("v1beta1");
        using (client)
        {
            var discovery = new ApiDiscovery(client);
            Assert.True(await discovery.IsServedAsync("policy", "v1beta1", "poddisruptionbudgets", Ct));
            Assert.False(await discovery.IsServedAsync("policy", "v1beta1", "evictions", Ct));
            Assert.False(await discovery.IsServedAsync("policy", "v1", "poddisruptionbudgets", Ct));
            var error = await Assert.ThrowsAsync<ResourceNotServedException>(() => discovery.ResolveAsync(KubeResources.Leases, Ct));
            Assert.Contains("coordination.k8s.io/v1", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Documents_are_fetched_once_until_invalidated()
    {
        var (client, handler) = Server("v1");
        using (client)
        {
            var discovery = new ApiDiscovery(client);
            await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => discovery.ResolveAsync(KubeResources.EndpointSlices, Ct)));
            Assert.Equal(3, handler.Requests.Count); // /api, /apis, /apis/discovery.k8s.io/v1

            discovery.Invalidate();
            await discovery.ResolveAsync(KubeResources.EndpointSlices, Ct);
            Assert.Equal(6, handler.Requests.Count);
        }
    }

    [Fact]
    public void A_v1beta1_EndpointSlice_read_through_discovery_serializes_as_v1()
    {
        var v1beta1 = KubeResources.EndpointSlices.WithVersion("v1beta1");
        const string fromServer = """
            {"apiVersion":"discovery.k8s.io/v1beta1","kind":"EndpointSlice",
             "metadata":{"name":"ring","namespace":"ns","resourceVersion":"5"},
             "addressType":"IPv4",
             "endpoints":[{"addresses":["10.0.0.1"],"conditions":{"ready":true},"hostname":"m-0",
                           "topology":{"topology.kubernetes.io/zone":"z1","kubernetes.io/hostname":"n1","rack":"r7"}}],
             "ports":[{"name":"peer","port":7000,"protocol":"TCP"}]}
            """;

        using var document = JsonDocument.Parse(fromServer);
        var slice = v1beta1.Read(document.RootElement);
        using var v1 = JsonDocument.Parse(KubeResources.EndpointSlices.Serialize(slice));
        var root = v1.RootElement;
        var endpoint = root.GetProperty("endpoints")[0];

        Assert.Equal("discovery.k8s.io/v1", root.GetProperty("apiVersion").GetString());
        Assert.Equal("EndpointSlice", root.GetProperty("kind").GetString());
        Assert.Equal("z1", endpoint.GetProperty("zone").GetString());
        Assert.Equal("n1", endpoint.GetProperty("nodeName").GetString());
        Assert.Equal("r7", endpoint.GetProperty("deprecatedTopology").GetProperty("rack").GetString());
        Assert.False(endpoint.TryGetProperty("topology", out _));
        Assert.True(endpoint.GetProperty("conditions").GetProperty("ready").GetBoolean());
        Assert.Equal(7000, root.GetProperty("ports")[0].GetProperty("port").GetInt32());
    }

    [Fact]
    public void A_v1beta1_PodDisruptionBudget_read_through_discovery_serializes_as_v1()
    {
        var v1beta1 = KubeResources.PodDisruptionBudgets.WithVersion("v1beta1");
        const string fromServer = """
            {"apiVersion":"policy/v1beta1","kind":"PodDisruptionBudget","metadata":{"name":"p","namespace":"ns"},
             "spec":{"minAvailable":"50%","selector":{"matchLabels":{"app":"x"}}},
             "status":{"currentHealthy":2,"desiredHealthy":1,"disruptionsAllowed":1,"expectedPods":2,"observedGeneration":1}}
            """;

        using var document = JsonDocument.Parse(fromServer);
        var pdb = v1beta1.Read(document.RootElement);
        using var v1 = JsonDocument.Parse(KubeResources.PodDisruptionBudgets.Serialize(pdb));
        var root = v1.RootElement;

        Assert.Equal("policy/v1", root.GetProperty("apiVersion").GetString());
        Assert.Equal("50%", root.GetProperty("spec").GetProperty("minAvailable").GetString());
        Assert.Equal("x", root.GetProperty("spec").GetProperty("selector").GetProperty("matchLabels").GetProperty("app").GetString());
        Assert.Equal(1, root.GetProperty("status").GetProperty("disruptionsAllowed").GetInt32());

        using var back = JsonDocument.Parse(v1beta1.Serialize(pdb));
        Assert.Equal("policy/v1beta1", back.RootElement.GetProperty("apiVersion").GetString());
    }
}
