using DataCluster.Agent.Configuration;
using DataCluster.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DataCluster.Agent.Observability;

/// <summary>The agent's OpenTelemetry: its meter and the storage library's, and its spans.</summary>
public static class AgentTelemetry
{
    /// <summary>The resource's default <c>service.name</c>.</summary>
    public const string ServiceName = "datacluster-agent";

    /// <summary>
    /// The storage library's meter (<c>StorageMetrics.MeterName</c>). Its instruments are
    /// collected when the store is given the host's <c>IMeterFactory</c>.
    /// </summary>
    public const string StorageMeterName = "DataCluster.Storage";

    /// <summary>
    /// Series per instrument, for every instrument without a limit of its own: the agent's labels
    /// are peers, routes, statuses, outcomes and roles, far fewer than this. It keeps the
    /// metric SDK's up-front reservation under 30 KiB per instrument (its default, 2000 series,
    /// held about 5 MiB for the agent's instruments).
    /// </summary>
    private const int CardinalityLimit = 256;

    /// <summary>
    /// Registers <see cref="AgentMetrics"/> and the meter provider (served at /metrics by
    /// <c>MapPrometheusScrapingEndpoint</c>), and OTLP export of metrics and spans when
    /// <see cref="AgentOptions.OtlpEndpoint"/> is set. Returns whether OTLP export is on.
    /// </summary>
    public static bool Add(IHostApplicationBuilder builder, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);

        // The options read and validated the variable; the exporters read the host's configuration.
        builder.Configuration[DataClusterTelemetry.OtlpEndpointVariable] = options.OtlpEndpoint?.ToString() ?? "";
        builder.Services.AddSingleton(services => new AgentMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        return builder.AddDataClusterTelemetry(new TelemetrySettings(ServiceName, [AgentMetrics.MeterName, StorageMeterName])
        {
            ServiceInstanceId = options.PodName,
            ActivitySources = [AgentTracing.SourceName],
            CardinalityLimit = CardinalityLimit,
            CardinalityLimits = new Dictionary<string, int>(StringComparer.Ordinal)
            {
                // One series per partition this member holds, and per follower of each it leads.
                [DataPlane.DataPlaneMetrics.LogBytesName] = Math.Max(CardinalityLimit, options.Partitions),
                [DataPlane.DataPlaneMetrics.DeliveryLagName] = Math.Max(CardinalityLimit, options.Partitions),
                [DataPlane.DataPlaneMetrics.ReplicationLagName] = Math.Max(CardinalityLimit, options.Partitions * (options.ReplicationFactor - 1)),
            },
        });
    }
}
