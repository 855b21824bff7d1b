using Xunit;

namespace DataCluster.Telemetry.Tests;

public sealed class PrometheusTextTests
{
    [Fact]
    public void Counters_gauges_and_histograms_render_in_the_text_exposition_format()
    {
        var registry = new MetricRegistry();
        var reconciles = registry.Counter("datacluster_reconcile_total", "Reconciles by result.", "result");
        var members = registry.Gauge("datacluster_members", "Members in the ring.");
        var latency = registry.Histogram("datacluster_reconcile_seconds", "Reconcile duration.", [0.1, 1], "controller");

        reconciles.Inc(labels: "success");
        reconciles.Inc(2, "error");
        members.Set(3);
        latency.Observe(0.05, "dc");
        latency.Observe(0.5, "dc");
        latency.Observe(5, "dc");

        var expected = """
            # HELP datacluster_members Members in the ring.
            # TYPE datacluster_members gauge
            datacluster_members 3
            # HELP datacluster_reconcile_seconds Reconcile duration.
            # TYPE datacluster_reconcile_seconds histogram
            datacluster_reconcile_seconds_bucket{controller="dc",le="0.1"} 1
            datacluster_reconcile_seconds_bucket{controller="dc",le="1"} 2
            datacluster_reconcile_seconds_bucket{controller="dc",le="+Inf"} 3
            datacluster_reconcile_seconds_sum{controller="dc"} 5.55
            datacluster_reconcile_seconds_count{controller="dc"} 3
            # HELP datacluster_reconcile_total Reconciles by result.
            # TYPE datacluster_reconcile_total counter
            datacluster_reconcile_total{result="error"} 2
            datacluster_reconcile_total{result="success"} 1

            """.ReplaceLineEndings("\n");
        Assert.Equal(expected, registry.Render());
    }

    [Fact]
    public void Label_values_and_help_are_escaped()
    {
        var registry = new MetricRegistry();
        registry.Gauge("g", "line one\nback\\slash", "k").Set(1, "a\"b\\c\nd");

        var text = registry.Render();

        Assert.Contains("# HELP g line one\\nback\\\\slash\n", text, StringComparison.Ordinal);
        Assert.Contains("g{k=\"a\\\"b\\\\c\\nd\"} 1\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1abc")]
    [InlineData("with-dash")]
    [InlineData("")]
    public void Invalid_metric_names_are_rejected_with_the_rule(string name)
    {
        var registry = new MetricRegistry();

        var error = Assert.Throws<ArgumentException>(() => registry.Counter(name, "x"));

        Assert.Contains("[a-zA-Z_:]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registering_a_name_again_returns_the_same_family_or_fails_on_a_different_shape()
    {
        var registry = new MetricRegistry();
        var first = registry.Counter("c_total", "x", "a");

        Assert.Same(first, registry.Counter("c_total", "x", "a"));
        Assert.Throws<InvalidOperationException>(() => registry.Gauge("c_total", "x", "a"));
        Assert.Throws<InvalidOperationException>(() => registry.Counter("c_total", "x", "b"));
    }

    [Fact]
    public void Wrong_number_of_label_values_is_an_error_not_a_silent_series()
    {
        var registry = new MetricRegistry();
        var counter = registry.Counter("c_total", "x", "a", "b");

        Assert.Throws<ArgumentException>(() => counter.Inc(1, "only-one"));
    }

    [Fact]
    public async Task Concurrent_increments_are_not_lost()
    {
        var registry = new MetricRegistry();
        var counter = registry.Counter("c_total", "x");
        var histogram = registry.Histogram("h", "x");

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                counter.Inc();
                histogram.Observe(0.5);
            }
        }, TestContext.Current.CancellationToken)));

        Assert.Equal(40_000, counter.Value());
        Assert.Equal(40_000, histogram.Count());
    }
}
