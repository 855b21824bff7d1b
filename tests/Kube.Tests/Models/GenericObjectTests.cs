using System.Text.Json;
using System.Text.Json.Nodes;
using DataCluster.Kube.Models;
using Xunit;

namespace DataCluster.Kube.Tests.Models;

/// <summary>Objects of kinds without a model, read and written through <see cref="GenericResource"/>.</summary>
public sealed class GenericObjectTests
{
    private const string Widget = """
    {
      "apiVersion": "example.dev/v1alpha1",
      "kind": "Widget",
      "metadata": { "name": "w", "namespace": "ns", "resourceVersion": "12", "creationTimestamp": "2024-03-01T09:00:00Z" },
      "spec": { "size": 3, "mode": "small", "ports": [ { "name": "http", "port": 80 } ] },
      "status": { "observedGeneration": 1, "conditions": [] },
      "data": null
    }
    """;

    private static readonly ResourceType<GenericObject> Widgets =
        GenericResource.For("example.dev", "v1alpha1", "Widget", "widgets", namespaced: true);

    [Fact]
    public void Descriptor_addresses_the_custom_kind()
    {
        Assert.Equal("example.dev/v1alpha1", Widgets.ApiVersion);
        Assert.Equal("/apis/example.dev/v1alpha1/namespaces/ns/widgets/w", Widgets.ObjectPath("ns", "w"));
        Assert.Equal("/api/v1/nodes", GenericResource.For("", "v1", "Node", "nodes", namespaced: false).CollectionPath(null));
    }

    [Fact]
    public void Generic_object_round_trips_unchanged()
    {
        var widget = Json.Read(Widgets, Widget);

        Assert.Equal("w", widget.Metadata.Name);
        Json.Equal(Json.Node(Widget), Json.Write(Widgets, widget));
    }

    [Fact]
    public void Spec_can_be_edited_as_a_node_and_the_rest_is_kept()
    {
        var widget = Json.Read(Widgets, Widget);

        var spec = widget.GetNode("spec")!;
        spec["size"] = 5;
        widget.SetNode("spec", spec);

        var expected = Json.Node(Widget);
        expected["spec"]!["size"] = 5;
        Json.Equal(expected, Json.Write(Widgets, widget));
    }

    [Fact]
    public void Node_is_a_copy_until_stored_back()
    {
        var widget = Json.Read(Widgets, Widget);

        widget.GetNode("spec")!["size"] = 99;

        Assert.Equal(3, widget.GetField("spec")!.Value.GetProperty("size").GetInt32());
    }

    [Fact]
    public void Fields_can_be_added_read_and_removed()
    {
        var widget = new GenericObject { Metadata = { Name = "w", Namespace = "ns" } };

        Assert.Null(widget.GetField("spec"));
        widget.SetNode("spec", new JsonObject { ["size"] = 1 });
        widget.SetField("status", Json.Element("""{"ready":true}"""));
        widget.SetField("replicas", 4, KubeJsonContext.Default.Int32);

        Assert.Equal(4, widget.GetField("replicas", KubeJsonContext.Default.Int32));
        Assert.True(widget.GetField("status")!.Value.GetProperty("ready").GetBoolean());
        Json.Equal(
            Json.Node("""{"apiVersion":"example.dev/v1alpha1","kind":"Widget","metadata":{"name":"w","namespace":"ns"},"spec":{"size":1},"status":{"ready":true},"replicas":4}"""),
            Json.Write(Widgets, widget));

        Assert.True(widget.RemoveField("status"));
        Assert.False(widget.RemoveField("status"));
        widget.SetNode("spec", null);
        Assert.Null(widget.GetField("spec"));
    }

    [Fact]
    public void Typed_fields_are_read_through_source_generated_metadata()
    {
        var pod = Json.Read(GenericResource.For("", "v1", "Pod", "pods", namespaced: true), ServerSamples.Pod);

        var spec = pod.GetField("spec", KubeJsonContext.Default.PodSpec)!;

        Assert.Equal("node-a", spec.NodeName);
    }

    [Theory]
    [InlineData("apiVersion")]
    [InlineData("kind")]
    [InlineData("metadata")]
    public void Typed_properties_cannot_be_set_as_fields(string name)
    {
        var widget = new GenericObject();

        Assert.Throws<ArgumentException>(() => widget.SetField(name, Json.Element("1")));
    }

    [Fact]
    public void List_of_generic_objects_reads()
    {
        var list = Widgets.ReadList(Json.Element($$"""{"apiVersion":"example.dev/v1alpha1","kind":"WidgetList","metadata":{"resourceVersion":"13"},"items":[{{Widget}}]}"""));

        Assert.Equal("13", list.Metadata.ResourceVersion);
        Assert.Equal(JsonValueKind.Object, Assert.Single(list.Items).GetField("spec")!.Value.ValueKind);
    }
}
