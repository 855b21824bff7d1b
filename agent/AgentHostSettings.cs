using DataCluster.Kube.Config;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent;

/// <summary>What a host is built from besides <see cref="AgentOptions"/>; tests replace parts.</summary>
public sealed record AgentHostSettings
{
    /// <summary>The API server and credentials; null = <see cref="KubeConfig.Load"/> (KUBECONFIG, ~/.kube/config, in-cluster).</summary>
    public KubeConfig? Kube { get; init; }

    /// <summary>The clock; null = the system clock.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Replaces the console logging the options ask for (tests route logs to their output).</summary>
    public Action<ILoggingBuilder>? Logging { get; init; }

    /// <summary>
    /// Resolves a member id to its peer-port URL; null = from the ring EndpointSlice
    /// (<see cref="Peers.PeerAddressBook"/>). Tests that run several agents on one address use it.
    /// </summary>
    public Func<string, Uri?>? PeerAddresses { get; init; }

    /// <summary>
    /// Configuration over the environment's, e.g. <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> or
    /// <c>OTEL_METRIC_EXPORT_INTERVAL</c> for one agent of a test process; null = none.
    /// </summary>
    public IReadOnlyDictionary<string, string?>? Configuration { get; init; }

    /// <summary>
    /// True: SIGTERM and SIGINT run the planned handoff before the host stops
    /// (<see cref="Hosting.AgentLifetime"/>), as the agent process does. False (tests that run
    /// agents inside their own process): the default console lifetime.
    /// </summary>
    public bool HandOffOnSignal { get; init; }

    /// <summary>Interval of keep-alive comments on assignment streams; null = 15 s.</summary>
    public TimeSpan? StreamKeepAlive { get; init; }
}
