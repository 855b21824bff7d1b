namespace DataCluster.Kube.Tests.Models;

/// <summary>Objects as a 1.20 server returns them through the v1beta1 versions the client converts.</summary>
internal static partial class ServerSamples
{
    /// <summary>An EndpointSlice as a 1.20 server serves it through discovery.k8s.io/v1beta1.</summary>
    public const string EndpointSliceV1Beta1 = """
    {
      "kind": "EndpointSlice",
      "apiVersion": "discovery.k8s.io/v1beta1",
      "metadata": {
        "name": "orders-ring",
        "namespace": "shop",
        "uid": "4d5e6f70-0000-4000-8000-000000000004",
        "resourceVersion": "48200",
        "generation": 2,
        "creationTimestamp": "2024-03-01T10:15:33Z",
        "labels": { "kubernetes.io/service-name": "orders-ring", "endpointslice.kubernetes.io/managed-by": "datacluster.dev" },
        "annotations": { "datacluster.dev/membership-epoch": "7" }
      },
      "addressType": "IPv4",
      "endpoints": [
        {
          "addresses": ["10.244.1.17"],
          "conditions": { "ready": true },
          "hostname": "orders-0",
          "targetRef": { "kind": "Pod", "namespace": "shop", "name": "orders-0", "uid": "9c8b7a6f-5e4d-3c2b-1a09-f8e7d6c5b4a3", "resourceVersion": "48190" },
          "topology": {
            "kubernetes.io/hostname": "node-a",
            "topology.kubernetes.io/region": "region-1",
            "topology.kubernetes.io/zone": "zone-1"
          }
        },
        {
          "addresses": ["10.244.2.9"],
          "conditions": { "ready": false },
          "hostname": "orders-1"
        }
      ],
      "ports": [ { "name": "peer", "protocol": "TCP", "port": 7401 } ]
    }
    """;

    /// <summary>A PodDisruptionBudget as a 1.20 server serves it through policy/v1beta1.</summary>
    public const string PodDisruptionBudgetV1Beta1 = """
    {
      "kind": "PodDisruptionBudget",
      "apiVersion": "policy/v1beta1",
      "metadata": {
        "name": "orders",
        "namespace": "shop",
        "uid": "5e6f7081-0000-4000-8000-000000000005",
        "resourceVersion": "48210",
        "generation": 1,
        "creationTimestamp": "2024-03-01T10:15:30Z"
      },
      "spec": {
        "maxUnavailable": 1,
        "selector": { "matchLabels": { "app.kubernetes.io/name": "orders" } }
      },
      "status": {
        "observedGeneration": 1,
        "disruptedPods": { "orders-2": "2024-03-01T10:20:00Z" },
        "disruptionsAllowed": 0,
        "currentHealthy": 2,
        "desiredHealthy": 2,
        "expectedPods": 3
      }
    }
    """;
}
