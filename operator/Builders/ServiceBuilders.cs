using DataCluster.Contracts;
using DataCluster.Kube.Models;

using DataCluster.Operator.Api;

namespace DataCluster.Operator.Builders;

/// <summary>The three Services of a DataCluster.</summary>
public static class ServiceBuilders
{
    /// <summary>
    /// NAME-peers: the StatefulSet's governing headless Service, which gives every member the
    /// stable DNS name POD.NAME-peers.NAMESPACE.svc. It publishes members before they are ready,
    /// because a member only becomes ready after it has found its peers.
    /// </summary>
    public static Service Peer(DefaultedCluster cluster)
    {
        var name = Owner.ClusterName(cluster);
        return new Service
        {
            Metadata = Owner.Metadata(cluster, ObjectNames.PeerService(name), Components.Member),
            Spec = new ServiceSpec
            {
                ClusterIp = "None",
                PublishNotReadyAddresses = true,
                Selector = Labels.Selector(name),
                Ports = [ClientPort(), PeerPort()],
            },
        };
    }

    /// <summary>
    /// NAME: where apps and clients send requests. Any ready agent accepts a request and forwards
    /// it to the partition leader, so plain ClusterIP load balancing is enough. Only the client
    /// port: peer traffic never goes through a virtual IP.
    /// </summary>
    public static Service Client(DefaultedCluster cluster)
    {
        var name = Owner.ClusterName(cluster);
        return new Service
        {
            Metadata = Owner.Metadata(cluster, ObjectNames.ClientService(name), Components.Member),
            Spec = new ServiceSpec
            {
                Type = "ClusterIP",
                Selector = Labels.Selector(name),
                Ports = [ClientPort()],
            },
        };
    }

    /// <summary>
    /// NAME-ring: a Service without a selector, so Kubernetes creates no endpoints for it and the
    /// operator's EndpointSlice NAME-ring is the only one. Headless, because nobody connects
    /// through it; it exists to anchor the ring membership the agents watch.
    /// </summary>
    public static Service Ring(DefaultedCluster cluster)
    {
        var name = Owner.ClusterName(cluster);
        return new Service
        {
            Metadata = Owner.Metadata(cluster, ObjectNames.RingService(name), Components.Ring),
            Spec = new ServiceSpec
            {
                ClusterIp = "None",
                Ports = [ClientPort(), PeerPort()],
            },
        };
    }

    // Numeric target ports: a named one would resolve to the first container of the pod with that
    // port name, which could be an app container.
    private static ServicePort ClientPort() => new()
    {
        Name = AgentPorts.ClientName,
        Protocol = "TCP",
        Port = AgentPorts.Client,
        TargetPort = AgentPorts.Client,
    };

    private static ServicePort PeerPort() => new()
    {
        Name = AgentPorts.PeerName,
        Protocol = "TCP",
        Port = AgentPorts.Peer,
        TargetPort = AgentPorts.Peer,
    };
}
