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

    /// <summary>
    /// Flags whose value is a listen address (<c>[HOST]:PORT</c>). In a real pod <c>:8080</c>
    /// listens on the pod's own network namespace; here every pod shares the host's, so a value
    /// meaning "every address" (no host, 0.0.0.0, [::] or *) becomes the pod's address
    /// (<see cref="ListenArguments"/>).
    /// </summary>
    public IReadOnlyList<string> ListenFlags { get; init; } = [];
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
    /// Container image to local executable. A key with a tag or digest matches that image only;
    /// a key without one (a repository) matches every tag of it. What happens to a container
    /// whose image is not here depends on its pod: see <see cref="AppPodLabels"/>.
    /// </summary>
    public IReadOnlyDictionary<string, LocalExecutable> Images { get; init; } = new Dictionary<string, LocalExecutable>(StringComparer.Ordinal);

    /// <summary>
    /// Labels of the pods whose unmapped containers are the user's app: they get no process and
    /// are reported running and ready (DataCluster member pods, whose agent is what matters
    /// here). In every other pod an unmapped image is an error the pod shows, waiting with
    /// reason ErrImageNeverPull and a message naming the image and the mapped ones, as a kubelet
    /// shows an image it cannot get.
    /// </summary>
    public IReadOnlyDictionary<string, string> AppPodLabels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [LabelKeys.Name] = LabelKeys.AppName,
    };

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

    /// <summary>The executable standing in for <paramref name="image"/>: the exact image first, then its repository (any tag).</summary>
    public LocalExecutable? ExecutableFor(string? image)
    {
        if (image is null)
        {
            return null;
        }

        return Images.TryGetValue(image, out var exact) ? exact
            : Images.TryGetValue(ImageReference.Repository(image), out var anyTag) ? anyTag
            : null;
    }

    /// <summary>Whether the unmapped containers of a pod with <paramref name="labels"/> are the user's app (see <see cref="AppPodLabels"/>).</summary>
    public bool IsAppPod(IReadOnlyDictionary<string, string>? labels) =>
        AppPodLabels.All(l => labels is not null && labels.TryGetValue(l.Key, out var value) && value == l.Value);
}
