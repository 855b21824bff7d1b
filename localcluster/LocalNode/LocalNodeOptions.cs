using System.Net;
using DataCluster.Contracts;

namespace DataCluster.LocalCluster.LocalNode;

/// <summary>A Node the local node registers and places pods on.</summary>
/// <param name="Name">The Node's name, also its kubernetes.io/hostname label.</param>
/// <param name="Zone">Its topology.kubernetes.io/zone label.</param>
/// <param name="Region">Its topology.kubernetes.io/region label.</param>
public sealed record LocalNodeDefinition(string Name, string Zone, string Region);

/// <summary>
/// The local stand-in for a container image: the executable is the image's entrypoint, the
/// <paramref name="Arguments"/> come before the container's own args (for example
/// <c>dotnet</c> with the path of a dll).
/// </summary>
public sealed record LocalExecutable(string FileName, IReadOnlyList<string> Arguments)
{
    public LocalExecutable(string fileName)
        : this(fileName, [])
    {
    }
}

/// <summary>Settings of a <see cref="LocalNode"/>. Only <see cref="ApiServer"/> and <see cref="CertificateAuthorityPem"/> are required.</summary>
public sealed record LocalNodeOptions
{
    /// <summary>The pods it runs, as a label selector (the kube-scheduler and kubelet ignore all others).</summary>
    public string PodSelector { get; init; } = $"{LabelKeys.Name}={LabelKeys.AppName}";

    /// <summary>Only pods of this namespace; null = all namespaces.</summary>
    public string? Namespace { get; init; }

    /// <summary>Two zones of one region, so zone-aware placement has something to spread over.</summary>
    public IReadOnlyList<LocalNodeDefinition> Nodes { get; init; } =
    [
        new("local-a", "zone-a", "local"),
        new("local-b", "zone-b", "local"),
    ];

    /// <summary>
    /// Container image to local executable. Containers whose image is not here (the user's app
    /// containers) get no process: they are reported running and ready.
    /// </summary>
    public IReadOnlyDictionary<string, LocalExecutable> Images { get; init; } = new Dictionary<string, LocalExecutable>(StringComparer.Ordinal);

    /// <summary>The API server, written into the service-account kubeconfigs the processes get.</summary>
    public required Uri ApiServer { get; init; }

    /// <summary>The CA that signed the API server's certificate (PEM), for the same kubeconfigs.</summary>
    public required string CertificateAuthorityPem { get; init; }

    /// <summary>
    /// The first pod address; later pods get the following ones. All of 127.0.0.0/8 reaches the
    /// loopback interface on Linux, so every pod listens on the same ports at its own address.
    /// Addresses below .10 are left for the host's own services.
    /// </summary>
    public IPAddress FirstPodAddress { get; init; } = IPAddress.Parse("127.0.0.10");

    /// <summary>
    /// Where logs, pid files and the pods' volumes go. Null: a new directory whose watchdog kills
    /// the processes if this process dies, removed on dispose.
    /// </summary>
    public string? RunDirectory { get; init; }

    /// <summary>
    /// How often readiness probes run. One second instead of the probe's periodSeconds (5 s for
    /// the agent): a pod turns Ready within a second of its process being ready, so tests and the
    /// demo do not wait on the probe schedule. The probe's failureThreshold still applies.
    /// </summary>
    public TimeSpan ReadinessPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The first restart delay of a container that exited; see <see cref="RestartBackoff"/>.</summary>
    public TimeSpan RestartBackoffInitial { get; init; } = RestartBackoff.DefaultInitial;

    /// <summary>The largest restart delay; see <see cref="RestartBackoff"/>.</summary>
    public TimeSpan RestartBackoffMax { get; init; } = RestartBackoff.DefaultMax;

    /// <summary>
    /// Variables set to the pod's address in every process, in place of what the spec says: in a
    /// real pod the agent binds 0.0.0.0 inside its own network namespace; here all pods share the
    /// host's, so each must bind its own address.
    /// </summary>
    public IReadOnlyList<string> BindAddressVariables { get; init; } = [AgentEnvironment.BindAddress];

    /// <summary>Host variables passed through to every process (a container image brings its own PATH and HOME).</summary>
    public IReadOnlyList<string> InheritedVariables { get; init; } = ["PATH", "HOME", "DOTNET_ROOT", "LANG"];
}
