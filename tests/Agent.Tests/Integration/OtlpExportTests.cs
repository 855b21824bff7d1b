using DataCluster.Agent.Tests.Support;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.Agent.Tests.Integration;

/// <summary>With OTEL_EXPORTER_OTLP_ENDPOINT set, an agent's spans and metrics reach a real OTLP/HTTP receiver.</summary>
[Collection(AgentsCollection.Name)]
public sealed class OtlpExportTests(ControlPlaneFixture fixture)
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_agent_exports_its_spans_and_metrics_over_OTLP_with_the_service_name_of_the_standard_variable()
    {
        fixture.RequireControlPlane();
        await using var receiver = await OtlpReceiver.StartAsync(Ct);
        await using var cluster = await TestCluster.CreateAsync(fixture, members: 1);
        var agent = await cluster.StartAgentAsync(0, otlpEndpoint: receiver.Endpoint, configuration: new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "orders-agents",
            // Milliseconds: export within the test's patience rather than every 60 s and 5 s.
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "300",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        });
        using var http = new HttpClient { BaseAddress = agent.Address };
        await Eventually.UntilAsync(async () => (await http.GetAsync("/readyz", Ct)).IsSuccessStatusCode, Hang, "the agent is ready");

        await Eventually.UntilAsync(
            () => receiver.SpanNames().Contains("publish assignment") && receiver.SpanNames().Contains("HTTP GET")
                && receiver.MetricNames().Contains("datacluster.agent.partitions_held") && receiver.MetricNames().Contains("datacluster.agent.http_requests"),
            Hang,
            "the receiver has the publish and request spans and the agent's metrics");

        Assert.All(receiver.Exports, export => Assert.Equal("application/x-protobuf", export.ContentType));
        Assert.Equal(["orders-agents"], receiver.ServiceNames("traces").Distinct());
        Assert.Equal(["orders-agents"], receiver.ServiceNames("metrics").Distinct());
    }
}
