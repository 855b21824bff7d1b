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

/// <summary>
/// .NET runtime settings the operator puts on the agent container. They are environment
/// variables because the runtime reads them before it reads any file of the agent's.
/// </summary>
public static class AgentRuntimeEnvironment
{
    /// <summary>
    /// 0 turns off the runtime's W^X protection of generated code. The Native AOT agent generates
    /// no code at run time, so this has no effect on it; it is kept for agent images published
    /// with ReadyToRun (before Native AOT), where W^X mapped every page of stubs and JIT output
    /// twice and cost the idle agent about 12 MiB of RSS.
    /// </summary>
    public const string WriteXorExecute = "DOTNET_EnableWriteXorExecute";

    /// <summary>
    /// The GC's generation-0 budget (hexadecimal bytes): 16 MiB. Left alone, the runtime sizes it
    /// from the CPU's last-level cache, so the same agent would behave differently from node to
    /// node (about 2 MiB on the machine of docs/performance.md). Under write load 16 MiB means an
    /// eighth of the collections of 2 MiB, and measured about 10 % less CPU per write on average;
    /// the Native AOT agent's idle RSS was the same with either (a ReadyToRun agent's was not:
    /// 32 MiB cost it 12-15 MiB), its peak under load at most about 10 MiB higher.
    /// The runtime reads this knob only from the environment (System.GC.Gen0Size in
    /// runtimeconfig.json has no effect on .NET 10, measured).
    /// </summary>
    public const string Gen0Size = "DOTNET_GCgen0size";

    /// <summary>Every variable with its value, in the order the container lists them.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> All =
    [
        new(WriteXorExecute, "0"),
        new(Gen0Size, "0x1000000"),
    ];
}
