namespace DataCluster.LocalCluster.LocalNode;

/// <summary>
/// Where a pod's files live under the local node's run directory. Pure path arithmetic.
/// </summary>
/// <remarks>
/// Per pod instance (name plus uid, gone with the pod): emptyDir, Secret and ConfigMap volumes
/// and the service-account kubeconfig. Per PersistentVolumeClaim (kept across pods, as a PVC
/// outlives the StatefulSet pod that uses it): claims/NAMESPACE/CLAIM.
/// </remarks>
public sealed class PodDirectories(string runDirectory, string @namespace, string name, string uid)
{
    /// <summary>The pod instance's own directory.</summary>
    public string Root { get; } = Path.Combine(runDirectory, "pods", @namespace, $"{name}-{Short(uid)}");

    public string Volume(string volumeName) => Path.Combine(Root, "volumes", volumeName);

    public string Kubeconfig => Path.Combine(Root, "kubeconfig");

    /// <summary>The directory standing in for a PersistentVolumeClaim's volume.</summary>
    public string Claim(string claimName) => Path.Combine(runDirectory, "claims", @namespace, claimName);

    private static string Short(string uid) => uid.Length > 8 ? uid[..8] : uid;
}
