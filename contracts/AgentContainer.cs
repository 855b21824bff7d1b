namespace DataCluster.Contracts;

/// <summary>Ports of the agent container.</summary>
public static class AgentPorts
{
    /// <summary>App and client API, health, metrics.</summary>
    public const int Client = 8080;
    public const string ClientName = "http";

    /// <summary>Peer traffic (replication), bearer-token protected.</summary>
    public const int Peer = 7070;
    public const string PeerName = "peer";
}

/// <summary>Well-known paths inside the agent container.</summary>
public static class AgentPaths
{
    public const string DataDirectory = "/var/lib/datacluster";
    public const string PeerTokenDirectory = "/var/run/datacluster/peer-token";
    public const string PeerTokenKey = "token";
    public const string DataVolume = "data";
    public const string PeerTokenVolume = "peer-token";
    public const string ContainerName = "datacluster-agent";
}
