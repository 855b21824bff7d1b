using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;

namespace DataCluster.LocalCluster.LocalNode;

/// <summary>
/// Registers the local node's Nodes the way a kubelet registers itself: the Node with its
/// hostname, zone and region labels, then a Ready status, then without the not-ready taint the
/// API server's admission adds to a new Node (the node-lifecycle controller that would remove it
/// is off in the test control plane).
/// </summary>
public static class NodeRegistrar
{
    private const string NotReadyTaint = "node.kubernetes.io/not-ready";

    /// <summary>The address every local Node reports (the pods have their own).</summary>
    public const string HostAddress = "127.0.0.1";

    /// <summary>Creates or updates every Node and marks it Ready. Idempotent.</summary>
    public static async Task RegisterAsync(IKubeClient client, IReadOnlyList<LocalNodeDefinition> nodes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(nodes);
        foreach (var definition in nodes)
        {
            var labels = PodPlacement.Labels(definition).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            labels["kubernetes.io/arch"] = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "amd64";
            Node node;
            try
            {
                node = await client.CreateAsync(KubeResources.Nodes, new Node { Metadata = new ObjectMeta { Name = definition.Name, Labels = labels } }, cancellationToken).ConfigureAwait(false);
            }
            catch (AlreadyExistsException)
            {
                var patch = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = ToJson(labels) } };
                node = await client.MergePatchAsync(KubeResources.Nodes, null, definition.Name, patch, cancellationToken).ConfigureAwait(false);
            }

            await client.MergePatchStatusAsync(KubeResources.Nodes, null, definition.Name, ReadyStatus(definition, DateTimeOffset.UtcNow), cancellationToken).ConfigureAwait(false);

            var taints = node.Spec.Taints ?? [];
            if (taints.Any(t => t.Key == NotReadyTaint))
            {
                var kept = new JsonArray([.. taints.Where(t => t.Key != NotReadyTaint).Select(t => (JsonNode)new JsonObject { ["key"] = t.Key, ["value"] = t.Value, ["effect"] = t.Effect })]);
                var patch = new JsonObject { ["spec"] = new JsonObject { ["taints"] = kept } };
                await client.MergePatchAsync(KubeResources.Nodes, null, definition.Name, patch, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The status patch of a Ready node. Capacity is the machine's, as a kubelet reports it.</summary>
    public static JsonObject ReadyStatus(LocalNodeDefinition node, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(node);
        var time = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var memoryKi = (GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024).ToString(CultureInfo.InvariantCulture) + "Ki";
        var capacity = new JsonObject
        {
            ["cpu"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
            ["memory"] = memoryKi,
            ["pods"] = "110",
        };
        JsonObject Condition(string type, string status, string reason, string message) => new()
        {
            ["type"] = type,
            ["status"] = status,
            ["reason"] = reason,
            ["message"] = message,
            ["lastHeartbeatTime"] = time,
            ["lastTransitionTime"] = time,
        };

        return new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["capacity"] = capacity,
                ["allocatable"] = capacity.DeepClone(),
                ["conditions"] = new JsonArray(
                    Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "local node"),
                    Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "local node"),
                    Condition("PIDPressure", "False", "KubeletHasSufficientPID", "local node"),
                    Condition("Ready", "True", "KubeletReady", "the local node runs pods as processes on loopback addresses")),
                ["addresses"] = new JsonArray(
                    new JsonObject { ["type"] = "InternalIP", ["address"] = HostAddress },
                    new JsonObject { ["type"] = "Hostname", ["address"] = node.Name }),
                ["nodeInfo"] = new JsonObject
                {
                    ["operatingSystem"] = "linux",
                    ["architecture"] = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "amd64",
                    ["kubeletVersion"] = "local",
                    ["kubeProxyVersion"] = "none",
                    ["containerRuntimeVersion"] = "local://processes",
                    ["osImage"] = RuntimeInformation.OSDescription,
                    ["kernelVersion"] = Environment.OSVersion.Version.ToString(),
                    ["machineID"] = "",
                    ["systemUUID"] = "",
                    ["bootID"] = "",
                },
            },
        };
    }

    private static JsonObject ToJson(Dictionary<string, string> map) =>
        new(map.Select(kv => new KeyValuePair<string, JsonNode?>(kv.Key, kv.Value)));
}
