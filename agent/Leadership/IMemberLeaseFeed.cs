using DataCluster.Kube.Models;

namespace DataCluster.Agent.Leadership;

/// <summary>
/// The cluster's member Leases as the cluster leader follows them: a list, then every change.
/// One feed per leadership term; <see cref="RunAsync"/> is called once.
/// </summary>
/// <remarks>
/// Callbacks come one at a time, in order, on the feed's own loop and must be quick. The real
/// feed is an informer on the API server (<see cref="KubeMemberLeaseFeed"/>); tests push Leases.
/// </remarks>
public interface IMemberLeaseFeed
{
    /// <summary>Delivers every Lease (first the list, then changes) until cancelled.</summary>
    Task RunAsync(Action<Lease> changed, Action<Lease> deleted, CancellationToken cancellationToken);

    /// <summary>Completes once the initial list has been delivered.</summary>
    Task WaitForSyncAsync(CancellationToken cancellationToken);
}
