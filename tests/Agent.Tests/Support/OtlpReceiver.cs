using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Tests.Support;

/// <summary>
/// An OTLP/HTTP receiver on 127.0.0.1 and a free port: accepts POST /v1/traces and /v1/metrics
/// with protobuf bodies, as a collector does, and reads from them the resource's service.name
/// and the span and metric names (OTLP's messages: <c>opentelemetry/proto/collector</c>).
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private const string Protobuf = "application/x-protobuf";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Export> _exports = new();

    private OtlpReceiver(WebApplication app)
    {
        _app = app;
        _app.MapPost("/v1/traces", (HttpContext context) => ReceiveAsync(context, "traces"));
        _app.MapPost("/v1/metrics", (HttpContext context) => ReceiveAsync(context, "metrics"));
    }

    /// <summary>The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it.</summary>
    public Uri Endpoint => new(_app.Urls.First());

    /// <summary>Every request received so far.</summary>
    public IReadOnlyList<Export> Exports => [.. _exports];

    public static async Task<OtlpReceiver> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var receiver = new OtlpReceiver(builder.Build());
        await receiver._app.StartAsync(cancellationToken);
        return receiver;
    }

    /// <summary>Service names of the resources in the <paramref name="signal"/> exports (traces or metrics).</summary>
    public IEnumerable<string> ServiceNames(string signal) =>
        _exports.Where(e => e.Signal == signal).SelectMany(e =>
            ProtobufFields.Path(e.Body, 1, 1, 1) // resource_{spans,metrics}.resource.attributes
                .Where(attribute => ProtobufFields.Strings(attribute, 1).SingleOrDefault() == "service.name")
                .SelectMany(attribute => ProtobufFields.Path(attribute, 2).SelectMany(value => ProtobufFields.Strings(value, 1))));

    /// <summary>Names of the spans received: ExportTraceServiceRequest.resource_spans.scope_spans.spans.name.</summary>
    public IEnumerable<string> SpanNames() =>
        _exports.Where(e => e.Signal == "traces").SelectMany(e => ProtobufFields.Path(e.Body, 1, 2, 2).SelectMany(span => ProtobufFields.Strings(span, 5)));

    /// <summary>Names of the metrics received: ExportMetricsServiceRequest.resource_metrics.scope_metrics.metrics.name.</summary>
    public IEnumerable<string> MetricNames() =>
        _exports.Where(e => e.Signal == "metrics").SelectMany(e => ProtobufFields.Path(e.Body, 1, 2, 2).SelectMany(metric => ProtobufFields.Strings(metric, 1)));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private async Task ReceiveAsync(HttpContext context, string signal)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        _exports.Enqueue(new Export(signal, context.Request.ContentType ?? "", body.ToArray()));

        // An empty Export*ServiceResponse: everything accepted.
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = Protobuf;
        context.Response.ContentLength = 0;
    }

    /// <summary>One POST: the signal (traces or metrics), its content type and body.</summary>
    public sealed record Export(string Signal, string ContentType, byte[] Body);
}
