namespace DataCluster.Telemetry;

/// <summary>What a process reports through <see cref="DataClusterTelemetry.AddDataClusterTelemetry"/>.</summary>
/// <param name="ServiceName">
/// The resource's <c>service.name</c> unless <c>OTEL_SERVICE_NAME</c> or <c>OTEL_RESOURCE_ATTRIBUTES</c> names another.
/// </param>
/// <param name="Meters">
/// The names of the meters to collect. Only meters created by the host's own
/// <see cref="System.Diagnostics.Metrics.IMeterFactory"/> are collected, so several hosts in one
/// process (tests) each report their own instruments.
/// </param>
public sealed record TelemetrySettings(string ServiceName, IReadOnlyList<string> Meters)
{
    /// <summary><c>service.instance.id</c> (the pod name); null = a generated id.</summary>
    public string? ServiceInstanceId { get; init; }

    /// <summary>The ActivitySources whose spans are exported over OTLP.</summary>
    public IReadOnlyList<string> ActivitySources { get; init; } = [];

    /// <summary>
    /// Most label sets (series) kept per instrument; null keeps the SDK's default, 2000. Label
    /// sets beyond it are counted in one overflow series. The SDK reserves room for all of them
    /// when an instrument is first measured, per exporter: about 90 bytes a series, so the
    /// default costs some 180 KiB of large-object heap per instrument whether the labels come or not.
    /// </summary>
    public int? CardinalityLimit { get; init; }

    /// <summary>Limits of single instruments, by instrument name, over <see cref="CardinalityLimit"/>.</summary>
    public IReadOnlyDictionary<string, int> CardinalityLimits { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);
}
