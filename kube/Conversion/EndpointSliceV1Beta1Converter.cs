using System.Text.Json.Nodes;

namespace DataCluster.Kube.Conversion;

/// <summary>
/// discovery.k8s.io/v1beta1 EndpointSlice to and from the v1 model. The versions differ only in
/// how an endpoint states where it runs: v1beta1 has a <c>topology</c> label map, v1 has
/// <c>zone</c>, <c>nodeName</c> and <c>deprecatedTopology</c> for any other entries.
/// </summary>
/// <remarks>
/// <para>
/// Reading: topology["topology.kubernetes.io/zone"] becomes zone and
/// topology["kubernetes.io/hostname"] becomes nodeName unless the endpoint already has a
/// different nodeName, in which case the entry stays in deprecatedTopology. The API server's own
/// conversion takes nodeName only from the field; we also take it from the map because a 1.20
/// server writes the node there alone (its nodeName field sits behind the EndpointSliceNodeName
/// feature gate, off by default).
/// </para>
/// <para>
/// Writing: deprecatedTopology, zone and nodeName are merged into topology (zone and nodeName
/// win over stale map entries). nodeName is also kept as a field: v1beta1 has it from 1.20 on
/// and a server that does not serve it drops it. hints are removed: 1.20 does not know them and
/// there is nothing to keep them in.
/// </para>
/// </remarks>
internal sealed class EndpointSliceV1Beta1Converter : IVersionConverter
{
    internal const string ZoneKey = "topology.kubernetes.io/zone";
    internal const string HostnameKey = "kubernetes.io/hostname";

    public static EndpointSliceV1Beta1Converter Instance { get; } = new();

    public string Version => "v1beta1";

    public void ToModel(JsonObject obj)
    {
        foreach (var endpoint in Endpoints(obj))
        {
            if (endpoint["topology"] is not JsonObject topology)
            {
                endpoint.Remove("topology");
                continue;
            }

            endpoint.Remove("topology");
            var nodeName = AsString(endpoint["nodeName"]);
            var rest = new JsonObject();
            foreach (var (key, value) in topology.ToList())
            {
                topology.Remove(key);
                if (key == ZoneKey && value is JsonValue)
                {
                    endpoint["zone"] = value;
                }
                else if (key == HostnameKey && AsString(value) is { } host && (nodeName is null || nodeName == host))
                {
                    endpoint["nodeName"] = value;
                }
                else
                {
                    rest[key] = value;
                }
            }

            if (rest.Count > 0)
            {
                endpoint["deprecatedTopology"] = rest;
            }
        }
    }

    public void FromModel(JsonObject obj)
    {
        foreach (var endpoint in Endpoints(obj))
        {
            var topology = new JsonObject();
            if (endpoint["deprecatedTopology"] is JsonObject deprecated)
            {
                foreach (var (key, value) in deprecated.ToList())
                {
                    deprecated.Remove(key);
                    topology[key] = value;
                }
            }

            endpoint.Remove("deprecatedTopology");
            if (endpoint["zone"] is JsonValue zone)
            {
                topology[ZoneKey] = zone.DeepClone();
            }

            endpoint.Remove("zone");
            if (endpoint["nodeName"] is JsonValue nodeName)
            {
                topology[HostnameKey] = nodeName.DeepClone();
            }

            endpoint.Remove("hints");
            if (topology.Count > 0)
            {
                endpoint["topology"] = topology;
            }
        }
    }

    private static string? AsString(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static IEnumerable<JsonObject> Endpoints(JsonObject slice) =>
        slice["endpoints"] is JsonArray endpoints ? endpoints.OfType<JsonObject>() : [];
}
