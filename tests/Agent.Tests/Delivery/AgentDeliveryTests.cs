using System.Net;
using DataCluster.Agent.Tests.BadInput;
using DataCluster.Testing;
using DataCluster.Testing.Telemetry;
using Xunit;

namespace DataCluster.Agent.Tests.Delivery;

/// <summary>The whole agent host with <c>DATACLUSTER_APP_DELIVERY_URL</c> set: what it writes reaches the app, and the delivery metrics are served as documented.</summary>
public sealed class AgentDeliveryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_agent_with_a_delivery_url_pushes_every_acknowledged_event_in_order_and_serves_the_documented_delivery_metrics()
    {
        await using var app = await DeliveryApp.StartAsync(Ct);
        await using var agent = await SingleMemberAgent.StartAsync(deliveryUrl: app.Url);

        var written = await agent.WriteSomeAsync(20);
        var byPartition = written.GroupBy(e => agent.PartitionOf(e.Key)).ToDictionary(g => g.Key, g => g.Select(e => e.Offset).Order().ToList());
        await Eventually.UntilAsync(() => byPartition.All(p => app.TakenOffsets(p.Key).Count >= p.Value.Count), TimeSpan.FromSeconds(30),
            "every written event reaches the app", () => string.Join("; ", app.Attempts.Select(a => $"p{a.Partition} [{string.Join(",", a.Offsets)}] {a.Status}")));

        foreach (var (partition, offsets) in byPartition)
        {
            Assert.Equal(offsets, app.TakenOffsets(partition));
        }

        Assert.All(app.Attempts, a => Assert.Equal("dc-0", a.Member));
        using var response = await agent.Http.GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var families = PrometheusText.Parse(await response.Content.ReadAsStringAsync(Ct));
        var documented = DocumentedMetrics.Read(Path.Combine(LocalCluster.RepositoryLayout.Root(), "agent", "README.md"), "datacluster_agent_deliver").ToList();
        Assert.Equal(3, documented.Count);
        foreach (var metric in documented)
        {
            Assert.True(families.TryGetValue(metric.Name, out var family), $"/metrics has no {metric.Name}");
            Assert.Equal(metric.Type, family.Type);
            Assert.NotEmpty(family.Samples);
            Assert.All(family.Samples, sample => Assert.All(metric.Labels, label => Assert.NotNull(sample.Label(label))));
        }

        Assert.Equal(0, families["datacluster_agent_deliveries_total"].Samples.Single(s => s.Label("outcome") == "failed").Value);
        Assert.True(families["datacluster_agent_deliveries_total"].Samples.Single(s => s.Label("outcome") == "ok").Value >= byPartition.Count);
        await Eventually.UntilAsync(async () =>
        {
            var text = await agent.Http.GetStringAsync("/metrics", Ct);
            return PrometheusText.Parse(text)["datacluster_agent_delivery_lag_records"].Samples.All(s => s.Value == 0);
        }, TimeSpan.FromSeconds(10), "the delivery lag of every led partition is 0 once everything is consumed");
    }
}
