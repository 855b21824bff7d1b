namespace DataCluster.LocalCluster.ControlPlane;

/// <summary>
/// Locates the real-API-server binaries the way controller-runtime's envtest does: a directory
/// named by KUBEBUILDER_ASSETS holding etcd, kube-apiserver and kube-controller-manager.
/// </summary>
public sealed class EnvtestAssets
{
    public const string Variable = "KUBEBUILDER_ASSETS";

    private static readonly string[] Binaries = ["etcd", "kube-apiserver", "kube-controller-manager"];

    private EnvtestAssets(string directory) => Directory = directory;

    public string Directory { get; }

    public string Etcd => Path.Combine(Directory, "etcd");

    public string ApiServer => Path.Combine(Directory, "kube-apiserver");

    public string ControllerManager => Path.Combine(Directory, "kube-controller-manager");

    /// <summary>Finds the assets or explains, in one message, why not and how to get them.</summary>
    public static bool TryLocate(out EnvtestAssets? assets, out string problem)
    {
        assets = null;
        var directory = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(directory))
        {
            var cached = DefaultCacheDirectory();
            if (cached is null)
            {
                problem = $"{Variable} is not set and no cached assets were found. Run 'make envtest' (or 'export {Variable}=$(hack/envtest.sh)') and run the tests again.";
                return false;
            }

            directory = cached;
        }

        var missing = Binaries.Where(b => !File.Exists(Path.Combine(directory, b))).ToArray();
        if (missing.Length > 0)
        {
            problem = $"{Variable}={directory} lacks {string.Join(", ", missing)}. Run 'make envtest' to build them.";
            return false;
        }

        assets = new EnvtestAssets(directory);
        problem = "";
        return true;
    }

    /// <summary>The directory hack/envtest.sh fills, when it is complete.</summary>
    private static string? DefaultCacheDirectory()
    {
        var root = Environment.GetEnvironmentVariable("DATACLUSTER_CACHE");
        if (string.IsNullOrEmpty(root))
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            root = Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".cache") : xdg, "datacluster");
        }

        var envtest = Path.Combine(root, "envtest");
        if (!System.IO.Directory.Exists(envtest))
        {
            return null;
        }

        return System.IO.Directory.GetDirectories(envtest, "k8s-*")
            .Where(d => !d.EndsWith(".partial", StringComparison.Ordinal))
            .Where(d => Binaries.All(b => File.Exists(Path.Combine(d, b))))
            .OrderDescending(StringComparer.Ordinal)
            .FirstOrDefault();
    }
}
