using System.Diagnostics;

namespace DataCluster.Agent.Observability;

/// <summary>
/// The agent's own spans: publishing an assignment, failed heartbeats, HTTP requests. They are
/// exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (<see cref="AgentTelemetry"/>);
/// without an endpoint no listener is attached, so starting a span costs a null check.
/// </summary>
public static class AgentTracing
{
    public const string SourceName = "DataCluster.Agent";

    public static readonly ActivitySource Source = new(SourceName);
}
