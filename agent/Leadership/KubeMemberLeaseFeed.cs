using DataCluster.Agent.Observability;
using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Informers;
using DataCluster.Kube.Models;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Leadership;

/// <summary>
/// An informer on the Leases labelled <c>datacluster.dev/cluster=NAME</c> (the operator labels
/// the member Leases so). Only the cluster leader runs one, so the API server carries one watch
/// of member heartbeats per cluster rather than one per agent.
/// </summary>
public sealed class KubeMemberLeaseFeed : IMemberLeaseFeed
{
    private readonly Informer<Lease> _informer;
    private readonly string _cluster;

    public KubeMemberLeaseFeed(IKubeClient client, string @namespace, string cluster, AgentMetrics metrics, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _cluster = cluster;
        _informer = new Informer<Lease>(client, KubeResources.Leases, new InformerOptions
        {
            Namespace = @namespace,
            LabelSelector = $"{LabelKeys.Cluster}={cluster}",
            OnRestart = _ => metrics.WatchRestarts.Inc("leases"),
        }, logger, time);
    }

    public Task RunAsync(Action<Lease> changed, Action<Lease> deleted, CancellationToken cancellationToken)
    {
        // The label also marks the leader Lease; only member Leases are heartbeats.
        var prefix = ObjectNames.MemberLease(_cluster, 0)[..^1];
        bool IsMember(Lease lease) => lease.Metadata.Name?.StartsWith(prefix, StringComparison.Ordinal) == true;
        _informer.AddHandler(
            onAdd: lease =>
            {
                if (IsMember(lease))
                {
                    changed(lease);
                }
            },
            onUpdate: (_, lease) =>
            {
                if (IsMember(lease))
                {
                    changed(lease);
                }
            },
            onDelete: lease =>
            {
                if (IsMember(lease))
                {
                    deleted(lease);
                }
            });
        return _informer.RunAsync(cancellationToken);
    }

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _informer.WaitForSyncAsync(cancellationToken);
}
