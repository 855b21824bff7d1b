using System.Diagnostics.Metrics;
using Xunit;

namespace DataCluster.Telemetry.Tests;

/// <summary>What /metrics serves from the instruments, read back with a strict parser of the text format.</summary>
public sealed class DataClusterTelemetryTests
{
    [Fact]
    public async Task Dotted_instrument_names_are_served_as_the_documented_Prometheus_names_and_types()
    {
        await using var host = await ScrapedHost.StartAsync();
        var members = new GaugeValue();
        var failures = new CountValue();
        var requests = new LabelledCounts("route", "code");
        host.Meter.CreateObservableGauge("datacluster.test.members", () => members.Value, description: "Members now.");
        host.Meter.CreateObservableCounter("datacluster.test.failures", () => failures.Value, description: "Failures so far.");
        host.Meter.CreateObservableCounter("datacluster.test.http_requests", requests.Measurements, description: "Requests by route and code.");
        var renew = host.Meter.CreateHistogram("datacluster.test.renew", "s", "Renewal time.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.1, 1] });
        members.Set(3);
        failures.Inc(2);
        requests.Inc("/v1/ring", "200");
        requests.Inc("/v1/ring", "200");
        requests.Inc("/v1/owners/{**key}", "400");
        renew.Record(0.05);

        var families = await host.ScrapeAsync();

        Assert.Equal("gauge", families["datacluster_test_members"].Type);
        Assert.Equal("Members now.", families["datacluster_test_members"].Help);
        Assert.Equal(3, families["datacluster_test_members"].Samples.Single().Value);
        Assert.Equal("counter", families["datacluster_test_failures_total"].Type);
        Assert.Equal(2, families["datacluster_test_failures_total"].Samples.Single().Value);
        var served = families["datacluster_test_http_requests_total"].Samples;
        Assert.Equal(2, served.Single(s => s.Label("route") == "/v1/ring" && s.Label("code") == "200").Value);
        Assert.Equal(1, served.Single(s => s.Label("route") == "/v1/owners/{**key}" && s.Label("code") == "400").Value);
        var histogram = families["datacluster_test_renew_seconds"];
        Assert.Equal("histogram", histogram.Type);
        Assert.Equal(
            [("0.01", 0.0), ("0.1", 1.0), ("1", 1.0), ("+Inf", 1.0)],
            histogram.Samples.Where(s => s.Name == "datacluster_test_renew_seconds_bucket").Select(s => (s.Label("le")!, s.Value)));
        Assert.Equal(1, histogram.Samples.Single(s => s.Name == "datacluster_test_renew_seconds_count").Value);
        Assert.All(families.Values.Where(f => f.Name.StartsWith("datacluster_", StringComparison.Ordinal)).SelectMany(f => f.Samples),
            sample => Assert.Equal(ScrapedHost.MeterName, sample.Label("otel_scope_name")));
    }

    [Fact]
    public async Task Counts_appear_at_zero_before_the_first_event_and_label_values_survive_escaping()
    {
        await using var host = await ScrapedHost.StartAsync();
        var restarts = new LabelledCounts("resource");
        restarts.Inc("leases", "", 0);
        restarts.Inc("odd \"quoted\" \\ value\nnext line");
        host.Meter.CreateObservableCounter("datacluster.test.restarts", restarts.Measurements);

        var samples = (await host.ScrapeAsync())["datacluster_test_restarts_total"].Samples;

        Assert.Equal(0, samples.Single(s => s.Label("resource") == "leases").Value);
        Assert.Equal(1, samples.Single(s => s.Label("resource") == "odd \"quoted\" \\ value\nnext line").Value);
    }

    [Fact]
    public async Task Label_sets_beyond_the_cardinality_limit_go_to_the_overflow_series_and_an_instrument_limit_overrides_it()
    {
        await using var host = await ScrapedHost.StartAsync(settings: s => s with
        {
            CardinalityLimit = 4,
            CardinalityLimits = new Dictionary<string, int> { ["datacluster.test.wide"] = 16 },
        });
        IEnumerable<Measurement<int>> Eight() => Enumerable.Range(0, 8).Select(n => new Measurement<int>(1, new KeyValuePair<string, object?>("n", n)));
        host.Meter.CreateObservableGauge("datacluster.test.narrow", Eight);
        host.Meter.CreateObservableGauge("datacluster.test.wide", Eight);

        var families = await host.ScrapeAsync();
        var narrow = families["datacluster_test_narrow"].Samples;
        var wide = families["datacluster_test_wide"].Samples;

        Assert.InRange(narrow.Count(s => s.Label("n") is not null), 1, 4);
        Assert.Contains(narrow, s => s.Label("otel_metric_overflow") == "true");
        Assert.Equal(Enumerable.Range(0, 8).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), wide.Select(s => s.Label("n")).Order());
    }

    [Fact]
    public async Task Only_the_hosts_own_meters_are_served_not_same_named_meters_of_others_in_the_process()
    {
        await using var host = await ScrapedHost.StartAsync();
        await using var other = await ScrapedHost.StartAsync();
        using var loose = new Meter(ScrapedHost.MeterName);
        host.Meter.CreateObservableGauge("datacluster.test.who", () => 1);
        other.Meter.CreateObservableGauge("datacluster.test.who", () => 2);
        loose.CreateObservableGauge("datacluster.test.who", () => 3);

        Assert.Equal(1, (await host.ScrapeAsync())["datacluster_test_who"].Samples.Single().Value);
        Assert.Equal(2, (await other.ScrapeAsync())["datacluster_test_who"].Samples.Single().Value);
    }

    [Fact]
    public async Task The_resource_is_served_as_target_info_and_OTEL_SERVICE_NAME_overrides_the_default_name()
    {
        await using (var host = await ScrapedHost.StartAsync())
        {
            var target = (await host.ScrapeAsync())["target_info"].Samples.Single();
            Assert.Equal("test-service", target.Label("service_name"));
            Assert.Equal("test-0", target.Label("service_instance_id"));
        }

        await using (var renamed = await ScrapedHost.StartAsync(new Dictionary<string, string?>
        {
            ["OTEL_SERVICE_NAME"] = "orders",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment=staging",
        }))
        {
            var target = (await renamed.ScrapeAsync())["target_info"].Samples.Single();
            Assert.Equal("orders", target.Label("service_name"));
            Assert.Equal("staging", target.Label("deployment_environment"));
        }
    }

    [Fact]
    public async Task The_scrape_answers_the_text_format_0_0_4()
    {
        await using var host = await ScrapedHost.StartAsync();
        using var response = await host.GetAsync();

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
    }
}
