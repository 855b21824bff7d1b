using System.Text.Json.Serialization;
using DataCluster.Kube.Models;
using Xunit;

namespace DataCluster.Kube.Tests.Models;

/// <summary>A typed custom resource built on <see cref="CustomResource{TSpec, TStatus}"/> with its own context.</summary>
public sealed class CustomResourceTests
{
    private static readonly ResourceType<Gadget> Gadgets = new(
        "example.dev", "v1alpha1", "Gadget", "gadgets", namespaced: true,
        GadgetJsonContext.Default.Gadget, GadgetJsonContext.Default.KubeListGadget);

    [Fact]
    public void New_resource_serializes_with_an_empty_spec_and_no_status()
    {
        var gadget = new Gadget { Metadata = { Name = "g", Namespace = "ns" } };

        Json.Equal(
            Json.Node("""{"apiVersion":"example.dev/v1alpha1","kind":"Gadget","metadata":{"name":"g","namespace":"ns"},"spec":{}}"""),
            Json.Write(Gadgets, gadget));
    }

    [Fact]
    public void Server_resource_round_trips_with_unknown_spec_fields_and_typed_template()
    {
        const string json = """
        {
          "apiVersion": "example.dev/v1alpha1",
          "kind": "Gadget",
          "metadata": { "name": "g", "namespace": "ns", "generation": 2, "creationTimestamp": "2024-03-01T09:00:00Z" },
          "spec": {
            "replicas": 3,
            "template": { "metadata": { "labels": { "app": "g" } }, "spec": { "containers": [ { "name": "app", "image": "app:1", "resources": { "limits": { "cpu": 1 } } } ] } },
            "addedLater": { "x": 1 }
          },
          "status": { "readyReplicas": 2, "conditions": [ { "type": "Ready", "status": "False", "observedGeneration": 2, "lastTransitionTime": "2024-03-01T09:01:00Z", "reason": "Scaling", "message": "2 of 3 ready" } ] }
        }
        """;

        var gadget = Json.Read(Gadgets, json);

        Assert.Equal(3, gadget.Spec.Replicas);
        Assert.Equal("1", gadget.Spec.Template!.Spec.Containers[0].Resources!.Limits!["cpu"]);
        Assert.Equal(2, gadget.Status!.ReadyReplicas);
        Assert.Equal("Scaling", gadget.Status.Conditions![0].Reason);

        gadget.Spec.Replicas = 4;
        var expected = Json.Node(json);
        expected["spec"]!["replicas"] = 4;
        // The number quantity from the user's YAML is written back in canonical string form.
        expected["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!["limits"]!["cpu"] = "1";
        Json.Equal(expected, Json.Write(Gadgets, gadget));
    }
}

public sealed class Gadget : CustomResource<GadgetSpec, GadgetStatus>
{
}

public sealed class GadgetSpec : KubeModel
{
    [JsonPropertyName("replicas")] public int? Replicas { get; set; }
    [JsonPropertyName("template")] public PodTemplateSpec? Template { get; set; }
}

public sealed class GadgetStatus : KubeModel
{
    [JsonPropertyName("readyReplicas")] public int? ReadyReplicas { get; set; }
    [JsonPropertyName("conditions")] public List<Condition>? Conditions { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, Converters = [typeof(TimeConverter)])]
[JsonSerializable(typeof(Gadget))]
[JsonSerializable(typeof(KubeList<Gadget>))]
internal sealed partial class GadgetJsonContext : JsonSerializerContext
{
}
