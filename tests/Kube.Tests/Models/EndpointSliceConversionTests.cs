using System.Text.Json.Nodes;
using DataCluster.Kube.Conversion;
using DataCluster.Kube.Models;
using Xunit;

namespace DataCluster.Kube.Tests.Models;

/// <summary>EndpointSlices exchanged with a server that serves only discovery.k8s.io/v1beta1.</summary>
public sealed class EndpointSliceConversionTests
{
    private static readonly ResourceType<EndpointSlice> V1 = KubeResources.EndpointSlices;
    private static readonly ResourceType<EndpointSlice> V1Beta1 = KubeResources.EndpointSlices.WithVersion("v1beta1");

    [Fact]
    public void V1beta1_descriptor_addresses_the_v1beta1_api()
    {
        Assert.IsType<ConvertedResourceType<EndpointSlice>>(V1Beta1);
        Assert.Equal("discovery.k8s.io/v1beta1", V1Beta1.ApiVersion);
        Assert.Equal("/apis/discovery.k8s.io/v1beta1/namespaces/shop/endpointslices/orders-ring", V1Beta1.ObjectPath("shop", "orders-ring"));
        Assert.Equal(["v1", "v1beta1"], V1Beta1.ServedVersions);
        Assert.Same(V1, V1Beta1.WithVersion("v1"));
        Assert.Same(V1, V1.WithVersion("v1"));
        Assert.Same(V1Beta1, V1.WithVersion("v1beta1"));
        Assert.Same(V1Beta1, V1Beta1.WithVersion("v1beta1"));
        Assert.Throws<ArgumentException>(() => V1.WithVersion("v2"));
    }

    [Fact]
    public void V1_slice_is_written_as_v1beta1_with_a_topology_map()
    {
        var slice = Ring(new Endpoint
        {
            Addresses = ["10.244.1.17"],
            Conditions = new() { Ready = true, Serving = true, Terminating = false },
            Hostname = "orders-0",
            NodeName = "node-a",
            Zone = "zone-1",
            DeprecatedTopology = new() { ["topology.kubernetes.io/region"] = "region-1" },
            Hints = new() { ForZones = [new() { Name = "zone-1" }] },
        });

        var json = Json.Write(V1Beta1, slice);

        Assert.Equal("discovery.k8s.io/v1beta1", (string?)json["apiVersion"]);
        Assert.Equal("EndpointSlice", (string?)json["kind"]);
        Assert.Equal(["apiVersion", "kind", "metadata"], json.Take(3).Select(p => p.Key));
        var endpoint = json["endpoints"]![0]!.AsObject();
        Json.Equal(
            Json.Node("""
            {
              "topology.kubernetes.io/region": "region-1",
              "topology.kubernetes.io/zone": "zone-1",
              "kubernetes.io/hostname": "node-a"
            }
            """),
            endpoint["topology"]);
        Assert.False(endpoint.ContainsKey("zone"));
        Assert.False(endpoint.ContainsKey("deprecatedTopology"));
        Assert.False(endpoint.ContainsKey("hints"));
        Assert.Equal("node-a", (string?)endpoint["nodeName"]);
        Assert.Equal(true, (bool?)endpoint["conditions"]!["ready"]);
        Assert.Equal("orders-0", (string?)endpoint["hostname"]);
    }

    [Fact]
    public void Endpoint_without_placement_gets_no_topology()
    {
        var json = Json.Write(V1Beta1, Ring(new Endpoint { Addresses = ["10.0.0.1"] }));

        Assert.False(json["endpoints"]![0]!.AsObject().ContainsKey("topology"));
    }

    [Fact]
    public void V1beta1_slice_from_a_1_20_server_reads_with_zone_and_nodeName()
    {
        var slice = Json.Read(V1Beta1, ServerSamples.EndpointSliceV1Beta1);

        Assert.Equal("discovery.k8s.io/v1", slice.ApiVersion);
        Assert.Equal("EndpointSlice", slice.Kind);
        Assert.Equal("IPv4", slice.AddressType);
        Assert.Equal("7", slice.Metadata.Annotations!["datacluster.dev/membership-epoch"]);

        var placed = slice.Endpoints[0];
        Assert.Equal("zone-1", placed.Zone);
        Assert.Equal("node-a", placed.NodeName);
        Assert.Equal(new Dictionary<string, string> { ["topology.kubernetes.io/region"] = "region-1" }, placed.DeprecatedTopology);
        Assert.Null(placed.ExtensionData);
        Assert.True(placed.Conditions!.Ready);
        Assert.Equal("orders-0", placed.TargetRef!.Name);

        var unplaced = slice.Endpoints[1];
        Assert.Null(unplaced.Zone);
        Assert.Null(unplaced.NodeName);
        Assert.Null(unplaced.DeprecatedTopology);
        Assert.False(unplaced.Conditions!.Ready);

        Assert.Equal(7401, Assert.Single(slice.Ports!).Port);
    }

    [Fact]
    public void NodeName_field_wins_over_a_different_hostname_in_the_topology_map()
    {
        const string json = """
        {
          "apiVersion": "discovery.k8s.io/v1beta1", "kind": "EndpointSlice", "metadata": { "name": "s" },
          "addressType": "IPv4",
          "endpoints": [ { "addresses": ["10.0.0.1"], "nodeName": "node-b", "topology": { "kubernetes.io/hostname": "node-a" } } ]
        }
        """;

        var endpoint = Json.Read(V1Beta1, json).Endpoints[0];

        Assert.Equal("node-b", endpoint.NodeName);
        Assert.Equal("node-a", endpoint.DeprecatedTopology!["kubernetes.io/hostname"]);
    }

    public static TheoryData<string> RoundTripEndpoints =>
    [
        """{ "addresses": ["10.0.0.1"] }""",
        """{ "addresses": ["10.0.0.1"], "zone": "z1" }""",
        """{ "addresses": ["10.0.0.1"], "nodeName": "n1" }""",
        """{ "addresses": ["10.0.0.1"], "nodeName": "n1", "zone": "z1", "hostname": "h" }""",
        """{ "addresses": ["10.0.0.1"], "zone": "z1", "deprecatedTopology": { "topology.kubernetes.io/region": "r1", "rack": "7" } }""",
        """{ "addresses": ["10.0.0.1", "10.0.0.2"], "conditions": { "ready": false, "serving": true, "terminating": true }, "targetRef": { "kind": "Pod", "name": "p", "namespace": "ns" } }""",
    ];

    [Theory]
    [MemberData(nameof(RoundTripEndpoints))]
    public void V1_to_v1beta1_to_v1_round_trip_is_lossless(string endpoint)
    {
        var original = V1.Read(Json.Element($$"""
        {
          "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
          "metadata": { "name": "s", "namespace": "ns", "labels": { "kubernetes.io/service-name": "svc" } },
          "addressType": "IPv4",
          "endpoints": [ {{endpoint}} ],
          "ports": [ { "name": "peer", "protocol": "TCP", "port": 7401, "appProtocol": "tcp" } ]
        }
        """));

        var wire = V1Beta1.Serialize(original);
        var back = V1Beta1.Read(wire);

        Json.Equal(Json.Node(V1.Serialize(original)), Json.Node(V1.Serialize(back)));
    }

    [Fact]
    public void Writing_does_not_change_the_callers_object()
    {
        var slice = Ring(new Endpoint { Addresses = ["10.0.0.1"], NodeName = "n1", Zone = "z1", Hints = new() { ForZones = [new() { Name = "z1" }] } });
        slice.ApiVersion = "discovery.k8s.io/v1";
        var before = V1.Serialize(slice);

        V1Beta1.Serialize(slice);

        Assert.Equal(Json.Text(before), Json.Text(V1.Serialize(slice)));
        Assert.Equal("discovery.k8s.io/v1", slice.ApiVersion);
        Assert.Equal("z1", slice.Endpoints[0].Zone);
        Assert.NotNull(slice.Endpoints[0].Hints);
    }

    [Fact]
    public void Unknown_fields_survive_both_directions()
    {
        const string json = """
        {
          "apiVersion": "discovery.k8s.io/v1beta1", "kind": "EndpointSlice",
          "metadata": { "name": "s", "futureMeta": 1 },
          "addressType": "IPv4",
          "futureTop": { "a": [1] },
          "endpoints": [ { "addresses": ["10.0.0.1"], "futureEndpoint": "x", "conditions": { "ready": true, "futureCondition": false },
                           "topology": { "topology.kubernetes.io/zone": "z1" } } ]
        }
        """;

        var slice = Json.Read(V1Beta1, json);
        slice.Endpoints[0].Conditions!.Ready = false;
        var written = Json.Write(V1Beta1, slice);

        var expected = Json.Node(json);
        expected["endpoints"]![0]!["conditions"]!["ready"] = false;
        Json.Equal(expected, written);
    }

    [Fact]
    public void List_items_are_converted()
    {
        var list = $$"""
        {
          "apiVersion": "discovery.k8s.io/v1beta1", "kind": "EndpointSliceList",
          "metadata": { "resourceVersion": "48250" },
          "items": [ {{ServerSamples.EndpointSliceV1Beta1}} ]
        }
        """;

        var read = V1Beta1.ReadList(Json.Element(list));

        Assert.Equal("48250", read.Metadata.ResourceVersion);
        var slice = Assert.Single(read.Items);
        Assert.Equal("discovery.k8s.io/v1", slice.ApiVersion);
        Assert.Equal("zone-1", slice.Endpoints[0].Zone);
        Assert.Equal("node-a", slice.Endpoints[0].NodeName);
    }

    [Fact]
    public void Model_version_reads_v1_unchanged()
    {
        const string json = """
        {
          "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": { "name": "s" },
          "addressType": "IPv4",
          "endpoints": [ { "addresses": ["10.0.0.1"], "nodeName": "n1", "zone": "z1", "hints": { "forZones": [ { "name": "z1" } ] } } ]
        }
        """;

        var slice = Json.Read(V1, json);

        Assert.Equal("z1", slice.Endpoints[0].Hints!.ForZones![0].Name);
        Json.Equal(Json.Node(json), Json.Write(V1, slice));
    }

    private static EndpointSlice Ring(Endpoint endpoint) => new()
    {
        Metadata = { Name = "orders-ring", Namespace = "shop", Labels = new() { ["kubernetes.io/service-name"] = "orders-ring" } },
        AddressType = "IPv4",
        Endpoints = [endpoint],
        Ports = [new() { Name = "peer", Protocol = "TCP", Port = 7401 }],
    };
}
