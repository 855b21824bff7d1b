using DataCluster.Telemetry;

namespace DataCluster.Agent.Observability;

/// <summary>
/// The agent's Prometheus metrics, registered once per agent on its own
/// <see cref="MetricRegistry"/> (so several agents in one test process do not share counters).
/// Thread-safe.
/// </summary>
public sealed class AgentMetrics
{
    /// <summary>
    /// Lease renewals are one small PUT: a healthy API server answers in milliseconds, a
    /// struggling one in seconds, and anything near the 2 s renew interval threatens the lease.
    /// </summary>
    private static readonly double[] RenewBuckets = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4];

    public AgentMetrics(MetricRegistry? registry = null)
    {
        Registry = registry ?? new MetricRegistry();
        Members = Registry.Gauge("datacluster_agent_members", "Members in the current assignment (agents holding at least one replica).");
        MembershipEpoch = Registry.Gauge("datacluster_agent_membership_epoch", "Membership epoch of the ring EndpointSlice this agent sees.");
        AssignmentEpoch = Registry.Gauge("datacluster_agent_assignment_epoch", "Epoch of the assignment this agent acts on; 0 before the first.");
        PartitionsHeld = Registry.Gauge("datacluster_agent_partitions_held", "Partitions this agent holds a replica of.");
        PartitionsLed = Registry.Gauge("datacluster_agent_partitions_led", "Partitions this agent leads.");
        IsClusterLeader = Registry.Gauge("datacluster_agent_is_cluster_leader", "1 while this agent is the cluster leader (publishes assignments), else 0.");
        LeaseRenewSeconds = Registry.Histogram("datacluster_agent_lease_renew_seconds", "Duration of member Lease renewals, successful or not.", RenewBuckets);
        LeaseRenewFailures = Registry.Counter("datacluster_agent_lease_renew_failures_total", "Member Lease renewals that failed.");
        WatchRestarts = Registry.Counter("datacluster_agent_watch_restarts_total", "Watch reconnects and relists, by resource.", "resource");
        AssignmentsPublished = Registry.Counter("datacluster_agent_assignments_published_total", "Assignments this agent published as cluster leader.");
        AssignmentRejected = Registry.Counter("datacluster_agent_assignment_rejected_total", "Assignment ConfigMap contents this agent could not use (undecodable, newer format, other partition count).");
        HttpRequests = Registry.Counter("datacluster_agent_http_requests_total", "HTTP requests served, by route template and status code.", "route", "code");
    }

    public MetricRegistry Registry { get; }

    public Gauge Members { get; }

    public Gauge MembershipEpoch { get; }

    public Gauge AssignmentEpoch { get; }

    public Gauge PartitionsHeld { get; }

    public Gauge PartitionsLed { get; }

    public Gauge IsClusterLeader { get; }

    public Histogram LeaseRenewSeconds { get; }

    public Counter LeaseRenewFailures { get; }

    public Counter WatchRestarts { get; }

    public Counter AssignmentsPublished { get; }

    public Counter AssignmentRejected { get; }

    public Counter HttpRequests { get; }
}
