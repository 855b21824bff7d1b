using System.Net;
using System.Reflection;
using DataCluster.Contracts;
using DataCluster.Kube.Controllers;
using DataCluster.Telemetry;
using Microsoft.Extensions.Logging;

namespace DataCluster.Operator.Hosting;

/// <summary>
/// The settings of the operator process, from flags or their environment variables
/// (<see cref="OperatorCommandLine"/>). Every property has the documented default.
/// </summary>
public sealed record OperatorOptions
{
    /// <summary>The namespaces whose DataClusters are reconciled; empty = all namespaces.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>
    /// Run for leadership on a Lease so that of several replicas one reconciles and the others
    /// stand by. On by default: two replicas give a quick takeover when a node fails.
    /// </summary>
    public bool LeaderElect { get; init; } = true;

    /// <summary>Namespace of the leader-election Lease; null = POD_NAMESPACE, else the kubeconfig's namespace.</summary>
    public string? LeaderElectionNamespace { get; init; }

    /// <summary>Name of the leader-election Lease.</summary>
    public string LeaderElectionLeaseName { get; init; } = OperatorEnvironment.LeaderElectionLeaseName;

    /// <summary>Where /metrics is served; null disables it.</summary>
    public BindAddress? MetricsBindAddress { get; init; } = new(null, 8080);

    /// <summary>Where /healthz and /readyz are served.</summary>
    public BindAddress HealthProbeBindAddress { get; init; } = new(null, 8081);

    /// <summary>The agent image of clusters whose spec.agent.image is empty.</summary>
    public string AgentImage { get; init; } = DefaultAgentImage;

    /// <summary>json (one JSON object per line, for log collectors) or text.</summary>
    public string LogFormat { get; init; } = LogFormats.Json;

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>A kubeconfig file; null = the in-cluster configuration, else KUBECONFIG or ~/.kube/config.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>Concurrent reconciles; see <see cref="ControllerOptions.DefaultWorkers"/>.</summary>
    public int Workers { get; init; } = ControllerOptions.DefaultWorkers;

    /// <summary>This replica's name in leader election and Events: POD_NAME, else host name plus a random suffix.</summary>
    public string Identity { get; init; } = DefaultIdentity();

    /// <summary>The agent image of this operator's own version, so upgrading the operator upgrades the agents.</summary>
    public static string DefaultAgentImage { get; } = $"ghcr.io/datacluster/agent:{Version()}";

    private static string Version()
    {
        var version = typeof(OperatorOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus >= 0 ? version[..plus] : version;
    }

    private static string DefaultIdentity() =>
        Environment.GetEnvironmentVariable(OperatorEnvironment.PodName) is { Length: > 0 } pod
            ? pod
            : $"{Environment.MachineName.ToLowerInvariant()}-{Guid.NewGuid().ToString("N")[..8]}";
}

/// <summary>An address to listen on: a host (null = every interface) and a port.</summary>
public sealed record BindAddress(IPAddress? Host, int Port)
{
    /// <summary>Parses "[HOST]:PORT" (":8080", "127.0.0.1:8080", "[::1]:8080", "localhost:8080").</summary>
    public static bool TryParse(string text, out BindAddress? address)
    {
        address = null;
        var colon = text.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return false;
        }

        var host = text[..colon].Trim('[', ']');
        if (host.Length == 0)
        {
            address = new BindAddress(null, port);
            return true;
        }

        if (host == "localhost")
        {
            address = new BindAddress(IPAddress.Loopback, port);
            return true;
        }

        if (IPAddress.TryParse(host, out var ip))
        {
            address = new BindAddress(ip, port);
            return true;
        }

        return false;
    }

    public override string ToString() => Host is null ? $":{Port}" : Host.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
