using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>
/// v1 Binding: assigns a pod to a node. It is not a collection of its own: it is POSTed to the
/// pod's <c>binding</c> subresource (…/pods/NAME/binding) with metadata.name set to the pod's
/// name and <see cref="Target"/> naming the Node.
/// </summary>
public sealed class Binding : KubeObject
{
    [JsonPropertyName("target")] public ObjectReference Target { get; set; } = new();
}
