using System.Text.Json.Nodes;
using DataCluster.Kube.Models;
using Xunit;

namespace DataCluster.Kube.Tests.Models;

/// <summary>
/// A read-modify-write must not drop what a newer server or another writer added: fields the
/// models do not declare survive at every level.
/// </summary>
public sealed class UnknownFieldTests
{
    private const string PodWithFutureFields = """
    {
      "apiVersion": "v1",
      "kind": "Pod",
      "metadata": {
        "name": "p",
        "namespace": "ns",
        "futureMetadataField": { "nested": [1, 2, 3] }
      },
      "spec": {
        "futureSpecField": "keep me",
        "containers": [
          {
            "name": "app",
            "image": "app:1",
            "futureContainerField": { "a": true },
            "readinessProbe": { "httpGet": { "port": 80, "futureProbeField": 1.5 }, "futureTiming": 7 },
            "resizePolicy": [ { "resourceName": "cpu", "restartPolicy": "NotRequired" } ]
          }
        ],
        "volumes": [ { "name": "scratch", "ephemeral": { "volumeClaimTemplate": { "spec": { "accessModes": ["ReadWriteOnce"] } } } } ],
        "os": { "name": "linux" }
      },
      "status": { "phase": "Pending", "futureStatusField": null },
      "futureTopLevelField": { "x": "y" }
    }
    """;

    public static TheoryData<string> UnknownPaths =>
    [
        "futureTopLevelField",
        "metadata.futureMetadataField",
        "spec.futureSpecField",
        "spec.os",
        "spec.containers[0].futureContainerField",
        "spec.containers[0].resizePolicy",
        "spec.containers[0].readinessProbe.futureTiming",
        "spec.containers[0].readinessProbe.httpGet.futureProbeField",
        "spec.volumes[0].ephemeral",
    ];

    [Theory]
    [MemberData(nameof(UnknownPaths))]
    public void Unknown_field_survives_a_read_modify_write(string path)
    {
        var pod = Json.Read(KubeResources.Pods, PodWithFutureFields);
        pod.Spec.Containers[0].Image = "app:2";

        var written = Json.Write(KubeResources.Pods, pod);

        Json.Equal(Select(Json.Node(PodWithFutureFields), path), Select(written, path));
        Assert.Equal("app:2", (string?)written["spec"]!["containers"]![0]!["image"]);
    }

    [Fact]
    public void Read_modify_write_changes_only_the_modified_field()
    {
        var pod = Json.Read(KubeResources.Pods, PodWithFutureFields);
        pod.Spec.Containers[0].Image = "app:2";

        var expected = Json.Node(PodWithFutureFields);
        expected["spec"]!["containers"]![0]!["image"] = "app:2";

        // An unknown field's explicit null is kept too: it is data, not an unset property.
        Json.Equal(expected, Json.Write(KubeResources.Pods, pod));
    }

    public static TheoryData<string> Kinds => ["StatefulSet", "Service", "Node", "Event"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Unknown_top_level_and_spec_fields_survive_for_every_kind(string kind)
    {
        var written = kind switch
        {
            "StatefulSet" => WithFutureFields(KubeResources.StatefulSets, ServerSamples.StatefulSet, s => s.Spec.Replicas = 5),
            "Service" => WithFutureFields(KubeResources.Services, ServerSamples.Service, s => s.Spec.PublishNotReadyAddresses = false),
            "Node" => WithFutureFields(KubeResources.Nodes, ServerSamples.Node, n => n.Spec.Unschedulable = true),
            "Event" => WithFutureFields(KubeResources.Events, ServerSamples.Event, e => e.Count = 2),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        Assert.Equal("top", (string?)written["futureTop"]);
        Assert.Equal("meta", (string?)written["metadata"]!["futureMeta"]);
        if (written["spec"] is JsonObject spec)
        {
            Assert.Equal("spec", (string?)spec["futureSpec"]);
        }
    }

    private static JsonObject WithFutureFields<T>(ResourceType<T> type, string sample, Action<T> modify)
        where T : class, IKubernetesObject
    {
        var json = Json.Node(sample).AsObject();
        json["futureTop"] = "top";
        json["metadata"]!["futureMeta"] = "meta";
        if (json["spec"] is JsonObject spec)
        {
            spec["futureSpec"] = "spec";
        }

        var value = type.Read(Json.Element(json.ToJsonString()));
        modify(value);
        return Json.Write(type, value);
    }

    private static JsonNode? Select(JsonNode root, string path)
    {
        var node = root;
        foreach (var part in path.Split('.'))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            if (bracket < 0)
            {
                node = node![part];
                continue;
            }

            node = node![part[..bracket]]![int.Parse(part[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)];
        }

        return node;
    }
}
