using System.Text;
using DataCluster.Kube.Models;
using DataCluster.LocalCluster.LocalNode;
using Xunit;

namespace DataCluster.LocalCluster.Tests.LocalNode;

public sealed class PodVolumesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("localnode-volumes-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static Pod Pod(string uid, params VolumeMount[] mounts) => new()
    {
        Metadata = new ObjectMeta { Name = "orders-0", Namespace = "shop", Uid = uid },
        Spec = new PodSpec
        {
            Containers = [new Container { Name = "agent", VolumeMounts = [.. mounts] }],
            Volumes =
            [
                new Volume { Name = "data", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = "data-orders-0" } },
                new Volume { Name = "peer-token", Secret = new SecretVolumeSource { SecretName = "orders-peer-token" } },
                new Volume { Name = "settings", ConfigMap = new ConfigMapVolumeSource { Name = "orders-settings", Items = [new KeyToPath { Key = "a", Path = "conf/a.txt" }] } },
                new Volume { Name = "tmp", EmptyDir = new EmptyDirVolumeSource() },
                new Volume { Name = "missing", Secret = new SecretVolumeSource { SecretName = "nope" } },
                new Volume { Name = "maybe", Secret = new SecretVolumeSource { SecretName = "nope", Optional = true } },
            ],
        },
    };

    private static FakeReader Reader() => new FakeReader()
        .Add(new Secret { Metadata = new ObjectMeta { Name = "orders-peer-token", Namespace = "shop" }, Data = new() { ["token"] = Encoding.UTF8.GetBytes("t0k3n") } })
        .Add(new ConfigMap { Metadata = new ObjectMeta { Name = "orders-settings", Namespace = "shop" }, Data = new() { ["a"] = "alpha", ["b"] = "beta" } });

    private async Task<Dictionary<string, string>> Mount(Pod pod, FakeReader? reader = null) =>
        (await PodVolumes.MaterializeAsync(pod, pod.Spec.Containers[0], new PodDirectories(_root, "shop", "orders-0", pod.Metadata.Uid!), reader ?? Reader(), Ct))
            .ToDictionary(m => m.ContainerPath, m => m.HostPath);

    [Fact]
    public async Task Secret_and_ConfigMap_volumes_hold_their_keys_and_emptyDir_is_empty()
    {
        var mounts = await Mount(Pod(
            "uid-1",
            new VolumeMount { Name = "peer-token", MountPath = "/var/run/datacluster/peer-token" },
            new VolumeMount { Name = "settings", MountPath = "/etc/settings" },
            new VolumeMount { Name = "tmp", MountPath = "/tmp" },
            new VolumeMount { Name = "maybe", MountPath = "/maybe" }));

        var token = Path.Combine(mounts["/var/run/datacluster/peer-token"], "token");
        Assert.Equal("t0k3n", await File.ReadAllTextAsync(token, Ct));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(token));
        }

        Assert.Equal("alpha", await File.ReadAllTextAsync(Path.Combine(mounts["/etc/settings"], "conf", "a.txt"), Ct));
        Assert.False(File.Exists(Path.Combine(mounts["/etc/settings"], "b")));
        Assert.Empty(Directory.GetFileSystemEntries(mounts["/tmp"]));
        Assert.Empty(Directory.GetFileSystemEntries(mounts["/maybe"]));
    }

    [Fact]
    public async Task A_claim_directory_outlives_the_pod_while_the_pod_directories_are_per_instance()
    {
        var data = new VolumeMount { Name = "data", MountPath = "/var/lib/datacluster" };
        var tmp = new VolumeMount { Name = "tmp", MountPath = "/tmp" };

        var first = await Mount(Pod("uid-1", data, tmp));
        await File.WriteAllTextAsync(Path.Combine(first["/var/lib/datacluster"], "segment"), "log", Ct);
        var second = await Mount(Pod("uid-2", data, tmp));

        Assert.Equal(first["/var/lib/datacluster"], second["/var/lib/datacluster"]);
        Assert.True(File.Exists(Path.Combine(second["/var/lib/datacluster"], "segment")));
        Assert.NotEqual(first["/tmp"], second["/tmp"]);
    }

    [Fact]
    public async Task A_missing_secret_keeps_the_container_creating_with_a_clear_message()
    {
        var error = await Assert.ThrowsAsync<ContainerConfigException>(() => Mount(Pod("uid-1", new VolumeMount { Name = "missing", MountPath = "/m" })));
        var unknown = await Assert.ThrowsAsync<ContainerConfigException>(() => Mount(Pod("uid-1", new VolumeMount { Name = "undeclared", MountPath = "/u" })));

        Assert.Equal("ContainerCreating", error.Reason);
        Assert.Equal("MountVolume.SetUp failed for volume \"missing\": secret \"nope\" not found", error.Message);
        Assert.Contains("names no volume", unknown.Message, StringComparison.Ordinal);
    }
}
