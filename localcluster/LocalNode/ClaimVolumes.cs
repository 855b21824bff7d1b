using DataCluster.Kube.Models;

namespace DataCluster.LocalCluster.LocalNode;

/// <summary>
/// Stands in for the PersistentVolumes behind pods' PersistentVolumeClaims: one directory per
/// claim under the node's run directory, <c>claims/NAMESPACE/CLAIM-UID8</c> (UID8: the first 8
/// characters of the claim's uid), made when a pod first mounts the claim. It outlives the
/// pod's processes and the pod itself, so a killed process and a pod the StatefulSet controller
/// recreates under the same name start on the same files; it goes when the claim goes from the
/// API (deleted by a user, the garbage collector or a namespace deletion, and released by the
/// PVC-protection controller once no pod uses it).
/// </summary>
/// <remarks>
/// <para>
/// The claim's uid in the name makes a claim deleted and created again under the same name a
/// new, empty volume, as a newly provisioned PersistentVolume would be. The claims themselves
/// stay Pending in the API: there is no provisioner, and the local node does not wait for one.
/// </para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class ClaimVolumes(string runDirectory)
{
    private readonly Lock _gate = new();
    private readonly HashSet<(string PodUid, string ClaimUid)> _mounted = [];

    /// <summary>The directory holding every claim's directory.</summary>
    public string Root { get; } = Path.Combine(runDirectory, "claims");

    /// <summary>The directory of the claim <paramref name="name"/> with <paramref name="uid"/>.</summary>
    public string DirectoryOf(string @namespace, string name, string uid) =>
        Path.Combine(Root, @namespace, $"{name}-{PodDirectories.Short(uid)}");

    /// <summary>
    /// The directory of the claim a pod mounts, made on first use. As the kubelet does, a pod
    /// may not start on a claim that does not exist or is being deleted; a pod that already
    /// mounted it keeps it while the claim waits for that pod to go.
    /// </summary>
    /// <param name="namespace">The pod's namespace.</param>
    /// <param name="claimName">The claim the pod's volume names.</param>
    /// <param name="claim">The claim as just read from the API; null when it does not exist.</param>
    /// <param name="podUid">The pod instance that mounts it.</param>
    /// <exception cref="ContainerConfigException">The claim does not exist, or is being deleted and this pod has not mounted it.</exception>
    public string Mount(string @namespace, string claimName, PersistentVolumeClaim? claim, string podUid)
    {
        if (claim is null)
        {
            throw new ContainerConfigException("ContainerCreating", $"persistentvolumeclaim \"{claimName}\" not found");
        }

        var claimUid = claim.Metadata.Uid ?? "";
        lock (_gate)
        {
            if (claim.Metadata.DeletionTimestamp is not null && !_mounted.Contains((podUid, claimUid)))
            {
                throw new ContainerConfigException("ContainerCreating", $"persistentvolumeclaim \"{claimName}\" is being deleted");
            }

            var directory = DirectoryOf(@namespace, claimName, claimUid);
            Directory.CreateDirectory(directory);
            _mounted.Add((podUid, claimUid));
            return directory;
        }
    }

    /// <summary>Forgets the mounts of a pod instance whose processes have stopped.</summary>
    public void Unmount(string podUid)
    {
        lock (_gate)
        {
            _mounted.RemoveWhere(m => m.PodUid == podUid);
        }
    }

    /// <summary>Removes the directory of a claim that is gone from the API; false when it had none here.</summary>
    public bool Remove(string @namespace, string name, string uid)
    {
        lock (_gate)
        {
            _mounted.RemoveWhere(m => m.ClaimUid == uid);
            var directory = DirectoryOf(@namespace, name, uid);
            var existed = Directory.Exists(directory);
            TryDelete(directory);
            return existed;
        }
    }

    /// <summary>Removes the directories of claims not in <paramref name="existing"/>: those deleted while no local node watched this run directory.</summary>
    /// <param name="namespace">Only directories of this namespace; null = all.</param>
    public void Sweep(IEnumerable<PersistentVolumeClaim> existing, string? @namespace)
    {
        var keep = existing
            .Select(c => DirectoryOf(c.Metadata.Namespace ?? "", c.Metadata.Name ?? "", c.Metadata.Uid ?? ""))
            .ToHashSet(StringComparer.Ordinal);
        var namespaces = @namespace is null
            ? (Directory.Exists(Root) ? Directory.GetDirectories(Root) : [])
            : [Path.Combine(Root, @namespace)];
        lock (_gate)
        {
            foreach (var directory in namespaces.Where(Directory.Exists).SelectMany(Directory.GetDirectories))
            {
                if (!keep.Contains(directory))
                {
                    TryDelete(directory);
                }
            }
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: the run directory goes as a whole when the node stops.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
