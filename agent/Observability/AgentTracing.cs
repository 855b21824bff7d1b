using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DataCluster.Agent.Observability;

/// <summary>
/// The agent's own spans (publishing an assignment, failed heartbeats, HTTP requests) and, when
/// OTEL_EXPORTER_OTLP_ENDPOINT is set, their export over OTLP. Without an endpoint no listener
/// is attached, so starting a span costs a null check.
/// </summary>
public static class AgentTracing
{
    public const string SourceName = "DataCluster.Agent";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// A tracer provider exporting this process's <see cref="SourceName"/> spans to
    /// <paramref name="endpoint"/> (OTLP over HTTP/protobuf when the URL has a path, as the
    /// collector's :4318/v1/traces; gRPC otherwise, as :4317), or null when there is no endpoint.
    /// Dispose it on stop: that flushes the spans still buffered.
    /// </summary>
    public static TracerProvider? Start(Uri? endpoint, string serviceInstance)
    {
        if (endpoint is null)
        {
            return null;
        }

        var protocol = endpoint.AbsolutePath.Length > 1 ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        return Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("datacluster-agent", serviceInstanceId: serviceInstance))
            .AddSource(SourceName)
            // Our spans are recorded whatever the framework's own (unexported) request activity
            // says; the default parent-based sampler would drop them as children of it.
            .SetSampler(new AlwaysOnSampler())
            .AddOtlpExporter(options =>
            {
                options.Endpoint = endpoint;
                options.Protocol = protocol;
            })
            .Build();
    }
}
