using DataCluster.Kube.Client;
using DataCluster.Kube.Models;
using Microsoft.Extensions.Logging;

namespace DataCluster.LocalCluster.LocalNode;

/// <summary>What every container of one pod instance shares. Immutable.</summary>
internal sealed record PodContext(
    Pod Pod,
    string Node,
    string Address,
    string HostIp,
    PodDirectories Directories,
    ClaimVolumes Claims,
    string RunDirectory,
    IKubeClient Client,
    LocalNodeOptions Options,
    HttpClient ProbeHttp,
    ILogger Logger,
    TimeProvider Time)
{
    public string Namespace => Pod.Metadata.Namespace ?? "";

    public string Name => Pod.Metadata.Name ?? "";

    public string Uid => Pod.Metadata.Uid ?? "";
}
