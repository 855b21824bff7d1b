using System.Text;
using System.Text.Json;
using DataCluster.Kube.Models;
using Xunit;

namespace DataCluster.Kube.Tests.Models;

/// <summary>Value encodings the API server is particular about.</summary>
public sealed class WireFormatTests
{
    public static TheoryData<string, bool, int, string?> IntOrStringWireForms => new()
    {
        { "8080", true, 8080, null },
        { "0", true, 0, null },
        { "\"http\"", false, 0, "http" },
        { "\"25%\"", false, 0, "25%" },
        // A number in a string stays a string: the server treats "8080" as a port name lookup.
        { "\"8080\"", false, 0, "8080" },
    };

    [Theory]
    [MemberData(nameof(IntOrStringWireForms))]
    public void IntOrString_reads_and_writes_the_form_it_was_sent_in(string json, bool isInt, int number, string? text)
    {
        var value = JsonSerializer.Deserialize(json, KubeJsonContext.Default.IntOrString);

        Assert.Equal(isInt, value.IsInt);
        Assert.Equal(number, value.IntValue);
        Assert.Equal(text, value.StringValue);
        Assert.Equal(json, JsonSerializer.Serialize(value, KubeJsonContext.Default.IntOrString));
    }

    [Theory]
    [InlineData("true")]
    [InlineData("1.5")]
    [InlineData("{}")]
    public void IntOrString_rejects_other_json(string json)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, KubeJsonContext.Default.IntOrString));
    }

    public static TheoryData<IntOrString, int, bool, int> ScaledValues => new()
    {
        { 2, 10, true, 2 },
        { "25%", 10, true, 3 },
        { "25%", 10, false, 2 },
        { "100%", 3, false, 3 },
        { "0%", 7, true, 0 },
        { "50%", 3, true, 2 },
    };

    [Theory]
    [MemberData(nameof(ScaledValues))]
    public void IntOrString_scales_percentages_against_a_total(IntOrString value, int total, bool roundUp, int expected)
    {
        Assert.Equal(expected, value.GetScaledValue(total, roundUp));
    }

    [Fact]
    public void IntOrString_that_is_not_a_percentage_cannot_be_scaled()
    {
        Assert.Throws<FormatException>(() => new IntOrString("http").GetScaledValue(10, roundUp: true));
    }

    [Fact]
    public void IntOrString_compares_by_wire_form()
    {
        Assert.Equal(new IntOrString(80), (IntOrString)80);
        Assert.NotEqual(new IntOrString(80), new IntOrString("80"));
        Assert.Equal(new IntOrString(0), default);
        Assert.Equal("80", new IntOrString(80).ToString());
    }

    [Fact]
    public void Unset_IntOrString_is_omitted_and_a_set_one_is_written_in_its_form()
    {
        var budget = new PodDisruptionBudget { Spec = { MinAvailable = "50%" } };
        var json = Json.Write(KubeResources.PodDisruptionBudgets, budget);

        Assert.Equal("50%", (string?)json["spec"]!["minAvailable"]);
        Assert.False(json["spec"]!.AsObject().ContainsKey("maxUnavailable"));
    }

    [Fact]
    public void MicroTime_is_written_in_UTC_with_six_fractional_digits()
    {
        var lease = new Lease
        {
            Spec =
            {
                AcquireTime = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero),
                RenewTime = new DateTimeOffset(2024, 1, 2, 5, 4, 5, TimeSpan.FromHours(2)).AddTicks(1_234_567),
            },
        };

        var spec = Json.Write(KubeResources.Leases, lease)["spec"]!;

        Assert.Equal("2024-01-02T03:04:05.000000Z", (string?)spec["acquireTime"]);
        // 100 ns ticks below a microsecond are cut, not rounded: the server stores microseconds.
        Assert.Equal("2024-01-02T03:04:05.123456Z", (string?)spec["renewTime"]);
    }

    [Theory]
    [InlineData("2024-01-02T03:04:05.123456Z", 1_234_560)]
    [InlineData("2024-01-02T03:04:05.1Z", 1_000_000)]
    [InlineData("2024-01-02T05:04:05.123456+02:00", 1_234_560)]
    [InlineData("2024-01-02T03:04:05Z", 0)]
    public void MicroTime_reads_any_RFC3339_form(string wire, long fractionTicks)
    {
        var lease = Json.Read(KubeResources.Leases, $$$"""{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{},"spec":{"renewTime":"{{{wire}}}"}}""");

        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(fractionTicks), lease.Spec.RenewTime);
        Assert.Equal(TimeSpan.Zero, lease.Spec.RenewTime!.Value.Offset);
    }

    [Fact]
    public void Event_eventTime_is_a_MicroTime_and_its_timestamps_are_whole_seconds()
    {
        var e = new Event
        {
            EventTime = new DateTimeOffset(2024, 1, 2, 3, 4, 5, 678, TimeSpan.Zero),
            FirstTimestamp = new DateTimeOffset(2024, 1, 2, 3, 4, 5, 678, TimeSpan.Zero),
        };

        var json = Json.Write(KubeResources.Events, e);

        Assert.Equal("2024-01-02T03:04:05.678000Z", (string?)json["eventTime"]);
        Assert.Equal("2024-01-02T03:04:05Z", (string?)json["firstTimestamp"]);
    }

    [Fact]
    public void Time_is_written_in_UTC_whole_seconds_like_the_server()
    {
        var ns = new Namespace { Metadata = { CreationTimestamp = new DateTimeOffset(2024, 1, 2, 5, 4, 5, 900, TimeSpan.FromHours(2)) } };

        var json = Json.Write(KubeResources.Namespaces, ns);

        Assert.Equal("2024-01-02T03:04:05Z", (string?)json["metadata"]!["creationTimestamp"]);
    }

    [Fact]
    public void Secret_data_is_base64_on_the_wire_and_bytes_in_the_model()
    {
        var secret = new Secret
        {
            Type = "Opaque",
            Data = new() { ["token"] = Encoding.UTF8.GetBytes("s3cr3t"), ["empty"] = [] },
            StringData = new() { ["plain"] = "text" },
        };

        var json = Json.Write(KubeResources.Secrets, secret);

        Assert.Equal("czNjcjN0", (string?)json["data"]!["token"]);
        Assert.Equal("", (string?)json["data"]!["empty"]);
        Assert.Equal("text", (string?)json["stringData"]!["plain"]);

        var read = Json.Read(KubeResources.Secrets, """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"type":"Opaque","data":{"ca.crt":"LS0tLS1CRUdJTg=="}}""");
        Assert.Equal("-----BEGIN", Encoding.UTF8.GetString(read.Data!["ca.crt"]));
    }

    [Fact]
    public void Quantities_are_strings_and_numbers_from_custom_resources_keep_their_text()
    {
        // A PodTemplateSpec inside a custom resource keeps quantities as the user wrote them.
        const string template = """
        {
          "spec": {
            "containers": [
              {
                "name": "app",
                "resources": { "limits": { "cpu": 1, "memory": "1Gi" }, "requests": { "cpu": 0.5 } },
                "env": [ { "name": "MEM", "valueFrom": { "resourceFieldRef": { "resource": "limits.memory", "divisor": 1 } } } ]
              }
            ],
            "volumes": [ { "name": "tmp", "emptyDir": { "sizeLimit": 1e9 } } ]
          }
        }
        """;

        var spec = JsonSerializer.Deserialize(template, KubeJsonContext.Default.PodTemplateSpec)!;
        var container = spec.Spec.Containers[0];

        Assert.Equal("1", container.Resources!.Limits!["cpu"]);
        Assert.Equal("1Gi", container.Resources.Limits["memory"]);
        Assert.Equal("0.5", container.Resources.Requests!["cpu"]);
        Assert.Equal("1", container.Env![0].ValueFrom!.ResourceFieldRef!.Divisor);
        Assert.Equal("1e9", spec.Spec.Volumes![0].EmptyDir!.SizeLimit);

        var written = JsonSerializer.SerializeToNode(spec, KubeJsonContext.Default.PodTemplateSpec)!;
        Assert.Equal("1", (string?)written["spec"]!["containers"]![0]!["resources"]!["limits"]!["cpu"]);
        Assert.Equal("0.5", (string?)written["spec"]!["containers"]![0]!["resources"]!["requests"]!["cpu"]);
    }

    [Fact]
    public void Binding_targets_a_node()
    {
        var binding = new Binding
        {
            ApiVersion = "v1",
            Kind = "Binding",
            Metadata = { Name = "orders-0", Namespace = "shop" },
            Target = { ApiVersion = "v1", Kind = "Node", Name = "node-a" },
        };

        var json = JsonSerializer.SerializeToNode(binding, KubeJsonContext.Default.Binding)!;

        Json.Equal(
            Json.Node("""{"apiVersion":"v1","kind":"Binding","metadata":{"name":"orders-0","namespace":"shop"},"target":{"apiVersion":"v1","kind":"Node","name":"node-a"}}"""),
            json);
    }
}
