using System.Text;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Models;

namespace DataCluster.LocalCluster.LocalNode;

/// <summary>
/// Makes a host directory for every volume a container mounts, the way the kubelet mounts them:
/// emptyDir is an empty directory of the pod; Secret and ConfigMap volumes hold one file per key
/// (or per item), with the volume's defaultMode or the item's mode, written again at every
/// container start so a changed Secret is seen after a restart; a persistentVolumeClaim is the
/// claim's directory from <see cref="ClaimVolumes"/>, which outlives the pod. Other volume types
/// (projected, downwardAPI, hostPath, ...) get an empty directory: nothing the agent needs uses them.
/// </summary>
/// <remarks>Stateless and thread-safe; concurrent calls for the same pod write the same files.</remarks>
public static class PodVolumes
{
    /// <summary>The mode of a Secret or ConfigMap file when the volume names none: 0644, the API server's default.</summary>
    public const int DefaultFileMode = 420;

    /// <summary>Creates the directories and files and returns the container path to host path map.</summary>
    /// <exception cref="ContainerConfigException">
    /// A mount names no volume, a non-optional Secret/ConfigMap (or key) is missing, or a claim
    /// does not exist or is being deleted.
    /// </exception>
    public static async Task<IReadOnlyList<MountedPath>> MaterializeAsync(
        Pod pod, Container container, PodDirectories directories, ClaimVolumes claims, IKubeReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(directories);
        ArgumentNullException.ThrowIfNull(claims);
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

            string host;
            if (volume.PersistentVolumeClaim is { } claim)
            {
                var found = await reader.GetAsync(KubeResources.PersistentVolumeClaims, ns, claim.ClaimName, cancellationToken).ConfigureAwait(false);
                host = claims.Mount(ns, claim.ClaimName, found, pod.Metadata.Uid ?? "");
            }
            else
            {
                host = directories.Volume(volume.Name);
                Directory.CreateDirectory(host);
            }

            if (volume.Secret is { } secretSource)
            {
                var secret = await reader.GetAsync(KubeResources.Secrets, ns, secretSource.SecretName ?? "", cancellationToken).ConfigureAwait(false);
                var data = secret?.Data?.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
                WriteKeys(host, volume.Name, "secret", secretSource.SecretName, data, secretSource.Items, secretSource.DefaultMode, secretSource.Optional == true);
            }
            else if (volume.ConfigMap is { } configMapSource)
            {
                var configMap = await reader.GetAsync(KubeResources.ConfigMaps, ns, configMapSource.Name ?? "", cancellationToken).ConfigureAwait(false);
                var data = configMap is null ? null : ConfigMapFiles(configMap);
                WriteKeys(host, volume.Name, "configmap", configMapSource.Name, data, configMapSource.Items, configMapSource.DefaultMode, configMapSource.Optional == true);
            }

            var path = string.IsNullOrEmpty(mount.SubPath) ? host : Path.Combine(host, mount.SubPath);
            mounts.Add(new MountedPath(mount.MountPath, path));
        }

        return mounts;
    }

    /// <summary>A ConfigMap's keys as file contents: data as UTF-8, binaryData as is.</summary>
    private static Dictionary<string, byte[]> ConfigMapFiles(ConfigMap configMap)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in configMap.Data ?? [])
        {
            files[key] = Encoding.UTF8.GetBytes(value);
        }

        foreach (var (key, value) in configMap.BinaryData ?? [])
        {
            files[key] = value;
        }

        return files;
    }

    /// <summary>
    /// Replaces the volume's contents with the projected keys. Each file is written beside its
    /// place and renamed over it, so a read-only file of an earlier start is replaced too.
    /// </summary>
    private static void WriteKeys(
        string directory, string volumeName, string kind, string? objectName, Dictionary<string, byte[]>? data, List<KeyToPath>? items, int? defaultMode, bool optional)
    {
        if (data is null && !optional)
        {
            // The kubelet keeps such a pod in ContainerCreating and retries the mount.
            throw new ContainerConfigException("ContainerCreating", $"MountVolume.SetUp failed for volume \"{volumeName}\": {kind} \"{objectName}\" not found");
        }

        data ??= [];
        var files = items is { Count: > 0 }
            ? items.Select(i => (i.Key, i.Path, Mode: i.Mode ?? defaultMode ?? DefaultFileMode))
            : data.Keys.Order(StringComparer.Ordinal).Select(k => (Key: k, Path: k, Mode: defaultMode ?? DefaultFileMode));
        var root = Path.GetFullPath(directory) + Path.DirectorySeparatorChar;
        var written = new List<(string File, byte[] Bytes, int Mode)>();
        foreach (var (key, relative, mode) in files)
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
            if (!file.StartsWith(root, StringComparison.Ordinal))
            {
                throw new ContainerConfigException($"volume {volumeName}: item path \"{relative}\" leaves the volume");
            }

            written.Add((file, bytes, mode));
        }

        // Keys removed from the object since the last start disappear, as in the kubelet's volume.
        foreach (var stale in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Except(written.Select(w => w.File), StringComparer.Ordinal).ToList())
        {
            File.Delete(stale);
        }

        foreach (var (file, bytes, mode) in written)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var temporary = file + ".writing";
            File.WriteAllBytes(temporary, bytes);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, (UnixFileMode)(mode & 0x1FF));
            }

            File.Move(temporary, file, overwrite: true);
        }
    }
}
