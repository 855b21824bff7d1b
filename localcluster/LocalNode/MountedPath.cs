namespace DataCluster.LocalCluster.LocalNode;

/// <summary>A container path (a volumeMount's mountPath) and the host directory that stands in for it.</summary>
public sealed record MountedPath(string ContainerPath, string HostPath)
{
    /// <summary>
    /// <paramref name="value"/> with a leading container path replaced by its host directory,
    /// using the longest mount that contains it; unchanged when no mount does. Used on env values
    /// and args, which is how a process here finds its volumes at their host paths.
    /// </summary>
    public static string Translate(string value, IReadOnlyList<MountedPath> mounts)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(mounts);
        MountedPath? best = null;
        foreach (var mount in mounts)
        {
            var root = mount.ContainerPath.TrimEnd('/');
            if (root.Length == 0)
            {
                continue; // a mount at "/" would swallow every absolute path
            }

            var contains = value == root || value.StartsWith(root + "/", StringComparison.Ordinal);
            if (contains && (best is null || root.Length > best.ContainerPath.TrimEnd('/').Length))
            {
                best = mount;
            }
        }

        return best is null ? value : best.HostPath + value[best.ContainerPath.TrimEnd('/').Length..];
    }
}
