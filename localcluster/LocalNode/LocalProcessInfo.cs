namespace DataCluster.LocalCluster.LocalNode;

/// <summary>A container process the local node runs, at one moment.</summary>
/// <param name="Namespace">The pod's namespace.</param>
/// <param name="Pod">The pod's name.</param>
/// <param name="Container">The container's name.</param>
/// <param name="Pid">The current process id; null while the container waits (before its first start or in CrashLoopBackOff).</param>
/// <param name="Address">The pod's address; the process listens there.</param>
/// <param name="LogFile">Standard output and error of every run of the container, appended.</param>
/// <param name="RestartCount">How often the container was restarted.</param>
/// <param name="Ready">Whether its readiness probe passes.</param>
public sealed record LocalProcessInfo(
    string Namespace,
    string Pod,
    string Container,
    int? Pid,
    string Address,
    string LogFile,
    int RestartCount,
    bool Ready)
{
    public bool Running => Pid is not null;
}
