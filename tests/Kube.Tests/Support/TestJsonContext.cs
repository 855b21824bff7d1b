using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataCluster.Kube.Tests.Support;

/// <summary>Lets tests read raw server JSON (to check the wire shape) through the client.</summary>
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class TestJsonContext : JsonSerializerContext
{
}
