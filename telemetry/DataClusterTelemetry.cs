using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DataCluster.Telemetry;

/// <summary>
/// The OpenTelemetry set-up of the operator and the agent: their meters, read by the Prometheus
/// exporter for <c>/metrics</c> (map it with <c>MapPrometheusScrapingEndpoint</c> or
/// <c>UseOpenTelemetryPrometheusScrapingEndpoint</c>); and, when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, the same metrics and the process's spans exported
/// over OTLP. The exporters read the standard variables from the host's configuration (which
/// includes the environment): <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>_PROTOCOL</c>
/// (<c>grpc</c>, the .NET SDK's default, or <c>http/protobuf</c>), <c>_HEADERS</c>,
/// <c>_TIMEOUT</c>, <c>OTEL_METRIC_EXPORT_INTERVAL</c>, <c>OTEL_BSP_*</c>; the resource takes
/// <c>OTEL_SERVICE_NAME</c> and <c>OTEL_RESOURCE_ATTRIBUTES</c> over the defaults given here.
/// </summary>
public static class DataClusterTelemetry
{
    /// <summary>The standard variable that turns OTLP export on.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Adds metrics (Prometheus, and OTLP when configured) and, with OTLP, tracing to <paramref name="builder"/>.</summary>
    /// <returns>Whether OTLP export is on.</returns>
    public static bool AddDataClusterTelemetry(this IHostApplicationBuilder builder, TelemetrySettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]);
        var services = builder.Services;
        services.AddMetrics();
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.Clear()
                .AddService(settings.ServiceName, serviceInstanceId: settings.ServiceInstanceId)
                .AddTelemetrySdk()
                // Last, so that the operator's OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win.
                .AddEnvironmentVariableDetector())
            .WithMetrics(metrics =>
            {
                metrics.AddMeter([.. settings.Meters]);

                // Prometheus scrapes every 15-60 s; a cached answer would only show stale values
                // to the next scrape, so every scrape collects afresh.
                metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        services.ConfigureOpenTelemetryMeterProvider((provider, metrics) =>
        {
            // Meters are matched by name process-wide; keep only this host's own instruments.
            var own = provider.GetRequiredService<IMeterFactory>();
            metrics.AddView(instrument => !ReferenceEquals(instrument.Meter.Scope, own) ? MetricStreamConfiguration.Drop
                : (settings.CardinalityLimits.TryGetValue(instrument.Name, out var limit) ? limit : settings.CardinalityLimit) is { } cardinality
                    ? new MetricStreamConfiguration { CardinalityLimit = cardinality }
                    : null);
        });

        if (otlp && settings.ActivitySources.Count > 0)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource([.. settings.ActivitySources])
                // Our spans are recorded whatever the framework's own (unexported) request
                // activity says; the default parent-based sampler would drop them as its children.
                .SetSampler(new AlwaysOnSampler())
                .AddOtlpExporter());
        }

        return otlp;
    }
}
