using DataCluster.Kube.Models;
using DataCluster.Operator.Api;

namespace DataCluster.Operator.Tests;

/// <summary>DataCluster objects for tests.</summary>
internal static class TestClusters
{
    public const string Name = "demo";
    public const string Namespace = "shop";
    public const string Uid = "3f6a2b1c-0000-4000-8000-000000000001";
    public const string AgentImage = "registry.example/datacluster-agent:1.0";

    /// <summary>A valid, stored-looking cluster; <paramref name="configure"/> adjusts the spec.</summary>
    public static Api.DataCluster Create(Action<DataClusterSpec>? configure = null, string name = Name)
    {
        var cluster = new Api.DataCluster
        {
            ApiVersion = "datacluster.dev/v1alpha1",
            Kind = "DataCluster",
            Metadata = new ObjectMeta { Name = name, Namespace = Namespace, Uid = Uid, Generation = 1 },
        };
        configure?.Invoke(cluster.Spec);
        return cluster;
    }

    /// <summary>An app container as a user would write it, with a field our models do not declare.</summary>
    public static PodTemplateSpec AppTemplate() =>
        System.Text.Json.JsonSerializer.Deserialize(
            """
            {
              "metadata": { "labels": { "app": "orders", "app.kubernetes.io/name": "not-ours" }, "annotations": { "team": "payments" } },
              "spec": {
                "containers": [
                  { "name": "app", "image": "busybox:1.36", "ports": [ { "name": "app", "containerPort": 9000 } ], "futureField": { "kept": true } }
                ],
                "volumes": [ { "name": "scratch", "emptyDir": {} } ],
                "hostAliases": [ { "ip": "10.0.0.1", "hostnames": [ "legacy" ] } ]
              }
            }
            """,
            OperatorJsonContext.Default.PodTemplateSpec)!;
}
