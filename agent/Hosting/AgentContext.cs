using DataCluster.Agent.Assignments;
using DataCluster.Agent.Configuration;
using DataCluster.Agent.Leadership;
using DataCluster.Agent.Membership;
using DataCluster.Agent.Observability;

namespace DataCluster.Agent.Hosting;

/// <summary>What the HTTP API shows about this member's Lease. Thread-safe reads.</summary>
public interface IHeartbeatView
{
    /// <summary>Others still count this member's Lease as fresh.</summary>
    bool IsHeld { get; }

    /// <summary>Why it is not held (or the last renewal failed), or null.</summary>
    string? Problem { get; }
}

/// <summary>
/// The state the HTTP API serves, shared by the agent's components. The pieces are live objects
/// updated by the agent's loops; each is thread-safe on its own.
/// </summary>
public sealed class AgentContext
{
    public required AgentOptions Options { get; init; }

    public required RingView Ring { get; init; }

    public required AssignmentState Assignments { get; init; }

    public required IHeartbeatView Heartbeat { get; init; }

    public required ILeadershipView Leadership { get; init; }

    public required AgentMetrics Metrics { get; init; }

    /// <summary>The data plane (partition logs and replication); null where a test runs the control plane alone.</summary>
    public DataPlane.DataPlane? Data { get; init; }

    /// <summary>
    /// Interval of the comment lines that keep an idle assignment stream open. 15 s: common
    /// proxies and load balancers drop connections idle for 30-60 s.
    /// </summary>
    public TimeSpan StreamKeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    private volatile bool _stopping;

    /// <summary>Set once the agent begins to stop; /readyz then answers 503.</summary>
    public bool Stopping => _stopping;

    public void BeginStopping() => _stopping = true;
}
