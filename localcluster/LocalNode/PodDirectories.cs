namespace DataCluster.LocalCluster.LocalNode;

/// <summary>
/// Where a pod instance's own files live under the local node's run directory. Pure path
/// arithmetic.
/// </summary>
/// <remarks>
/// Per pod instance (name plus uid, gone with the pod): emptyDir, Secret and ConfigMap volumes
/// and the service-account kubeconfig. A PersistentVolumeClaim's directory outlives the pod and
/// is not here: see <see cref="ClaimVolumes"/>.
/// </remarks>
public sealed class PodDirectories(string runDirectory, string @namespace, string name, string uid)
{
    /// <summary>The pod instance's own directory.</summary>
    public string Root { get; } = Path.Combine(runDirectory, "pods", @namespace, $"{name}-{Short(uid)}");

    public string Volume(string volumeName) => Path.Combine(Root, "volumes", volumeName);

    public string Kubeconfig => Path.Combine(Root, "kubeconfig");

    /// <summary>The first 8 characters of a uid: unique enough among the objects of one run, and short paths.</summary>
    internal static string Short(string uid) => uid.Length > 8 ? uid[..8] : uid;
}
