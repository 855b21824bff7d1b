using System.Text;
using DataCluster.Kube.Models;
using DataCluster.LocalCluster.LocalNode;
using Xunit;

namespace DataCluster.LocalCluster.Tests.LocalNode;

public sealed class PodVolumesTests : IDisposable
{
    private const UnixFileMode ReadOnlyByOwner = UnixFileMode.UserRead;
    private const UnixFileMode Default = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

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
                new Volume { Name = "peer-token", Secret = new SecretVolumeSource { SecretName = "orders-peer-token", DefaultMode = 256 } },
                new Volume { Name = "settings", ConfigMap = new ConfigMapVolumeSource { Name = "orders-settings", Items = [new KeyToPath { Key = "a", Path = "conf/a.txt", Mode = 384 }, new KeyToPath { Key = "c", Path = "c.bin" }] } },
                new Volume { Name = "all-settings", ConfigMap = new ConfigMapVolumeSource { Name = "orders-settings" } },
                new Volume { Name = "tmp", EmptyDir = new EmptyDirVolumeSource() },
                new Volume { Name = "missing", Secret = new SecretVolumeSource { SecretName = "nope" } },
                new Volume { Name = "maybe", Secret = new SecretVolumeSource { SecretName = "nope", Optional = true } },
            ],
        },
    };

    private static PersistentVolumeClaim Claim(string uid, bool deleting = false) => new()
    {
        Metadata = new ObjectMeta { Name = "data-orders-0", Namespace = "shop", Uid = uid, DeletionTimestamp = deleting ? DateTimeOffset.UtcNow : null },
    };

    private static Secret PeerToken(string token) =>
        new() { Metadata = new ObjectMeta { Name = "orders-peer-token", Namespace = "shop" }, Data = new() { ["token"] = Encoding.UTF8.GetBytes(token) } };

    private static FakeReader Reader(PersistentVolumeClaim? claim = null) => new FakeReader()
        .Add(PeerToken("t0k3n"))
        .Add(new ConfigMap
        {
            Metadata = new ObjectMeta { Name = "orders-settings", Namespace = "shop" },
            Data = new() { ["a"] = "alpha", ["b"] = "beta" },
            BinaryData = new() { ["c"] = [0, 1, 2] },
        })
        .Add(claim ?? Claim("claim-1"));

    private async Task<Dictionary<string, string>> Mount(Pod pod, FakeReader? reader = null, ClaimVolumes? claims = null)
    {
        reader ??= Reader();
        var mounts = await PodVolumes.MaterializeAsync(
            pod, pod.Spec.Containers[0], new PodDirectories(_root, "shop", "orders-0", pod.Metadata.Uid!), claims ?? new ClaimVolumes(_root), reader, Ct);
        return mounts.ToDictionary(m => m.ContainerPath, m => m.HostPath);
    }

    [Fact]
    public async Task Secret_and_ConfigMap_volumes_hold_their_keys_with_their_modes_and_emptyDir_is_empty()
    {
        var mounts = await Mount(Pod(
            "uid-1",
            new VolumeMount { Name = "peer-token", MountPath = "/var/run/datacluster/peer-token" },
            new VolumeMount { Name = "settings", MountPath = "/etc/settings" },
            new VolumeMount { Name = "all-settings", MountPath = "/etc/all" },
            new VolumeMount { Name = "tmp", MountPath = "/tmp" },
            new VolumeMount { Name = "maybe", MountPath = "/maybe" }));

        var token = Path.Combine(mounts["/var/run/datacluster/peer-token"], "token");
        var a = Path.Combine(mounts["/etc/settings"], "conf", "a.txt");
        Assert.Equal("t0k3n", await File.ReadAllTextAsync(token, Ct));
        Assert.Equal("alpha", await File.ReadAllTextAsync(a, Ct));
        Assert.Equal([0, 1, 2], await File.ReadAllBytesAsync(Path.Combine(mounts["/etc/settings"], "c.bin"), Ct));
        Assert.False(File.Exists(Path.Combine(mounts["/etc/settings"], "b")));
        Assert.Equal(["a", "b", "c"], Directory.GetFiles(mounts["/etc/all"]).Select(Path.GetFileName).Order());
        Assert.Empty(Directory.GetFileSystemEntries(mounts["/tmp"]));
        Assert.Empty(Directory.GetFileSystemEntries(mounts["/maybe"]));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(ReadOnlyByOwner, File.GetUnixFileMode(token)); // defaultMode 0400
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(a)); // the item's mode 0600
            Assert.Equal(Default, File.GetUnixFileMode(Path.Combine(mounts["/etc/all"], "b"))); // 0644 when none is given
        }
    }

    [Fact]
    public async Task A_restart_writes_a_changed_Secret_over_its_read_only_files_and_drops_removed_keys()
    {
        var pod = Pod("uid-1", new VolumeMount { Name = "peer-token", MountPath = "/var/run/datacluster/peer-token" });
        var first = await Mount(pod);
        var stale = Path.Combine(first["/var/run/datacluster/peer-token"], "old-key");
        await File.WriteAllTextAsync(stale, "gone", Ct);

        var second = await Mount(pod, Reader().Add(PeerToken("rotated")));

        Assert.Equal("rotated", await File.ReadAllTextAsync(Path.Combine(second["/var/run/datacluster/peer-token"], "token"), Ct));
        Assert.False(File.Exists(stale));
    }

    [Fact]
    public async Task A_claim_directory_outlives_the_pod_while_the_pod_directories_are_per_instance()
    {
        var data = new VolumeMount { Name = "data", MountPath = "/var/lib/datacluster" };
        var tmp = new VolumeMount { Name = "tmp", MountPath = "/tmp" };
        var reader = Reader();
        var claims = new ClaimVolumes(_root);

        var first = await Mount(Pod("uid-1", data, tmp), reader, claims);
        await File.WriteAllTextAsync(Path.Combine(first["/var/lib/datacluster"], "segment"), "log", Ct);
        claims.Unmount("uid-1");
        var second = await Mount(Pod("uid-2", data, tmp), reader, claims);

        Assert.Equal(first["/var/lib/datacluster"], second["/var/lib/datacluster"]);
        Assert.Equal(claims.DirectoryOf("shop", "data-orders-0", "claim-1"), second["/var/lib/datacluster"]);
        Assert.True(File.Exists(Path.Combine(second["/var/lib/datacluster"], "segment")));
        Assert.NotEqual(first["/tmp"], second["/tmp"]);
    }

    [Fact]
    public async Task A_claim_created_again_under_the_same_name_is_a_new_empty_volume()
    {
        var data = new VolumeMount { Name = "data", MountPath = "/var/lib/datacluster" };
        var claims = new ClaimVolumes(_root);
        var first = await Mount(Pod("uid-1", data), Reader(Claim("claim-1")), claims);
        await File.WriteAllTextAsync(Path.Combine(first["/var/lib/datacluster"], "segment"), "log", Ct);

        Assert.True(claims.Remove("shop", "data-orders-0", "claim-1"));
        var second = await Mount(Pod("uid-2", data), Reader(Claim("claim-2")), claims);

        Assert.False(Directory.Exists(first["/var/lib/datacluster"]));
        Assert.Empty(Directory.GetFileSystemEntries(second["/var/lib/datacluster"]));
    }

    [Fact]
    public async Task A_pod_may_not_start_on_a_missing_claim_or_one_being_deleted_but_keeps_one_it_mounted()
    {
        var data = new VolumeMount { Name = "data", MountPath = "/var/lib/datacluster" };
        var missing = await Assert.ThrowsAsync<ContainerConfigException>(() => Mount(Pod("uid-1", data), new FakeReader()));
        var claims = new ClaimVolumes(_root);
        var mounted = await Mount(Pod("uid-1", data), Reader(), claims);

        var deleting = Reader(Claim("claim-1", deleting: true));
        var restarted = await Mount(Pod("uid-1", data), deleting, claims);
        var refused = await Assert.ThrowsAsync<ContainerConfigException>(() => Mount(Pod("uid-2", data), deleting, claims));

        Assert.Equal(("ContainerCreating", "persistentvolumeclaim \"data-orders-0\" not found"), (missing.Reason, missing.Message));
        Assert.Equal(mounted["/var/lib/datacluster"], restarted["/var/lib/datacluster"]);
        Assert.Equal(("ContainerCreating", "persistentvolumeclaim \"data-orders-0\" is being deleted"), (refused.Reason, refused.Message));
    }

    [Fact]
    public async Task A_sweep_removes_the_directories_of_claims_that_no_longer_exist()
    {
        var claims = new ClaimVolumes(_root);
        await Mount(Pod("uid-1", new VolumeMount { Name = "data", MountPath = "/d" }), Reader(), claims);
        var gone = claims.DirectoryOf("shop", "data-orders-1", "claim-9");
        var elsewhere = claims.DirectoryOf("other", "data-x-0", "claim-8");
        Directory.CreateDirectory(gone);
        Directory.CreateDirectory(elsewhere);

        claims.Sweep([Claim("claim-1")], "shop");

        Assert.True(Directory.Exists(claims.DirectoryOf("shop", "data-orders-0", "claim-1")));
        Assert.False(Directory.Exists(gone));
        Assert.True(Directory.Exists(elsewhere), "a sweep of one namespace touches no other");
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
