using System.Text;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Models;

namespace DataCluster.LocalCluster.LocalNode;

/// <summary>
/// Makes a host directory for every volume a container mounts, the way the kubelet mounts them:
/// emptyDir is an empty directory of the pod, Secret and ConfigMap volumes hold one file per key
/// (written again at every container start, so a changed Secret is seen after a restart), a
/// persistentVolumeClaim is a directory per claim that outlives the pod. Other volume types
/// (projected, downwardAPI, hostPath, ...) get an empty directory: nothing the agent needs uses them.
/// </summary>
/// <remarks>Stateless and thread-safe; concurrent calls for the same pod write the same files.</remarks>
public static class PodVolumes
{
    /// <summary>Secret files are readable by their owner only, as the agent's 0400 secret volume asks.</summary>
    private const UnixFileMode SecretFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the directories and files and returns the container path to host path map.</summary>
    /// <exception cref="ContainerConfigException">A mount names no volume, or a non-optional Secret/ConfigMap (or key) is missing.</exception>
    public static async Task<IReadOnlyList<MountedPath>> MaterializeAsync(
        Pod pod, Container container, PodDirectories directories, IKubeReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(directories);
        ArgumentNullException.ThrowIfNull(reader);
        var ns = pod.Metadata.Namespace ?? "";
        var volumes = (pod.Spec.Volumes ?? []).ToDictionary(v => v.Name, StringComparer.Ordinal);
        var mounts = new List<MountedPath>();
        foreach (var mount in container.VolumeMounts ?? [])
        {
            if (!volumes.TryGetValue(mount.Name, out var volume))
            {
                throw new ContainerConfigException($"volumeMount {mount.Name} of container {container.Name} names no volume of the pod");
            }

            var host = volume switch
            {
                { PersistentVolumeClaim: { } claim } => directories.Claim(claim.ClaimName),
                _ => directories.Volume(volume.Name),
            };
            Directory.CreateDirectory(host);

            if (volume.Secret is { } secretSource)
            {
                var secret = await reader.GetAsync(KubeResources.Secrets, ns, secretSource.SecretName ?? "", cancellationToken).ConfigureAwait(false);
                var data = secret?.Data?.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
                WriteKeys(host, volume.Name, "secret", secretSource.SecretName, data, secretSource.Items, secretSource.Optional == true);
            }
            else if (volume.ConfigMap is { } configMapSource)
            {
                var configMap = await reader.GetAsync(KubeResources.ConfigMaps, ns, configMapSource.Name ?? "", cancellationToken).ConfigureAwait(false);
                var data = configMap?.Data?.ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetBytes(kv.Value), StringComparer.Ordinal);
                WriteKeys(host, volume.Name, "configmap", configMapSource.Name, data, configMapSource.Items, configMapSource.Optional == true);
            }

            var path = string.IsNullOrEmpty(mount.SubPath) ? host : Path.Combine(host, mount.SubPath);
            mounts.Add(new MountedPath(mount.MountPath, path));
        }

        return mounts;
    }

    private static void WriteKeys(
        string directory, string volumeName, string kind, string? objectName, Dictionary<string, byte[]>? data, List<KeyToPath>? items, bool optional)
    {
        if (data is null)
        {
            if (optional)
            {
                return;
            }

            // The kubelet keeps such a pod in ContainerCreating and retries the mount.
            throw new ContainerConfigException("ContainerCreating", $"MountVolume.SetUp failed for volume \"{volumeName}\": {kind} \"{objectName}\" not found");
        }

        var files = items is { Count: > 0 }
            ? items.Select(i => (i.Key, i.Path))
            : data.Keys.Select(k => (Key: k, Path: k));
        foreach (var (key, relative) in files)
        {
            if (!data.TryGetValue(key, out var bytes))
            {
                if (optional)
                {
                    continue;
                }

                throw new ContainerConfigException("ContainerCreating", $"MountVolume.SetUp failed for volume \"{volumeName}\": {kind} \"{objectName}\" has no key \"{key}\"");
            }

            var file = Path.GetFullPath(Path.Combine(directory, relative));
            if (!file.StartsWith(Path.GetFullPath(directory) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw new ContainerConfigException($"volume {volumeName}: item path \"{relative}\" leaves the volume");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, bytes);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, SecretFileMode);
            }
        }
    }
}
