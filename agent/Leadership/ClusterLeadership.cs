using DataCluster.Agent.Observability;
using DataCluster.Kube.Election;
using DataCluster.Kube.Models;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Leadership;

/// <summary>What the HTTP API shows about the cluster leader. Thread-safe reads.</summary>
public interface ILeadershipView
{
    /// <summary>The cluster leader's pod name as last observed, or null when none is known.</summary>
    string? CurrentLeader { get; }

    /// <summary>Whether this agent is the cluster leader.</summary>
    bool IsLeader { get; }

    /// <summary>The leader Lease's leaseTransitions as last read, when known.</summary>
    int? LeaseTransitions { get; }
}

/// <summary>
/// The election of the cluster leader among the agents on the Lease NAME-leader, with the
/// kube library's <see cref="LeaderElector"/>; the winner runs the leader duties until it loses
/// the Lease or stops, and on a graceful stop releases the Lease so another agent takes over at
/// once instead of after expiry. Every agent watches the Lease (<see cref="Observe"/>), so a
/// candidate counts its expiry from the holder's last renewal, not from the poll that saw it.
/// </summary>
public sealed class ClusterLeadership : ILeadershipView
{
    private readonly LeaderElector _elector;

    /// <param name="store">The leader Lease.</param>
    /// <param name="leaseNamespace">Its namespace.</param>
    /// <param name="leaseName">Its name, NAME-leader.</param>
    /// <param name="identity">This agent's pod name.</param>
    /// <param name="leaseDuration">The agent's lease duration.</param>
    /// <param name="renewInterval">The agent's renew interval.</param>
    /// <param name="lead">The leader duties; their token is cancelled when leadership ends.</param>
    /// <param name="metrics">Where is_cluster_leader is reported.</param>
    /// <param name="logger">For the elector's messages.</param>
    /// <param name="time">The clock.</param>
    public ClusterLeadership(ILeaseStore store, string leaseNamespace, string leaseName, string identity, TimeSpan leaseDuration, TimeSpan renewInterval, Func<CancellationToken, Task> lead, AgentMetrics metrics, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(lead);
        ArgumentNullException.ThrowIfNull(metrics);
        metrics.IsClusterLeader.Set(0);
        _elector = new LeaderElector(store, Options(leaseNamespace, leaseName, identity, leaseDuration, renewInterval), logger, time)
        {
            OnStartedLeading = token =>
            {
                metrics.IsClusterLeader.Set(1);
                return lead(token);
            },
            OnStoppedLeading = () => metrics.IsClusterLeader.Set(0),
        };
    }

    public string? CurrentLeader => _elector.CurrentLeader;

    public bool IsLeader => _elector.IsLeader;

    public int? LeaseTransitions => _elector.LeaseTransitions;

    /// <summary>
    /// The election timing, derived from the member Lease timing so that leadership fails over
    /// on the same scale as membership. With the defaults (6 s lease, 2 s renew): LeaseDuration
    /// 6 s, so a killed leader is replaced about as fast as a killed member is noticed (the
    /// successor then publishes at once); RenewDeadline 4 s (two thirds), so a leader cut off
    /// from the API server stops publishing 2 s before anyone else may start, a margin for clock
    /// rate and request latency; RetryPeriod 2 s, the renew interval, so leadership costs the same
    /// one write per 2 s as a member heartbeat, and two renew attempts fit in the deadline.
    /// </summary>
    /// <remarks>
    /// RetryPeriod is at most a third of the lease so that the elector's rule (RenewDeadline above
    /// 1.2 × RetryPeriod) holds for every configuration the agent accepts.
    /// </remarks>
    public static LeaderElectionOptions Options(string leaseNamespace, string leaseName, string identity, TimeSpan leaseDuration, TimeSpan renewInterval) =>
        new()
        {
            LeaseNamespace = leaseNamespace,
            LeaseName = leaseName,
            Identity = identity,
            LeaseDuration = leaseDuration,
            RenewDeadline = leaseDuration * 2 / 3,
            RetryPeriod = renewInterval < leaseDuration / 3 ? renewInterval : leaseDuration / 3,
            ReleaseOnCancel = true,
        };

    /// <summary>
    /// The leader Lease as a watch saw it (null: deleted). A candidate that only polled would see
    /// each renewal up to a retry period (2 s, jittered to 2.4 s) late and count the lease's 6 s
    /// from then, so a successor took over 4 to 8.4 s after a kill; with the watch it counts from
    /// the renewal itself, 4 to 6 s, and a released Lease is taken at once.
    /// </summary>
    public void Observe(Lease? lease) => _elector.ObserveWatched(lease);

    /// <summary>Campaigns and leads until cancelled; then stops leading and releases the Lease.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => _elector.RunAsync(cancellationToken);
}
