using System.Text.Json.Nodes;
using DataCluster.Kube;
using DataCluster.Kube.Models;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.LocalCluster.Tests.LocalNode;

/// <summary>
/// Volumes as a process of the local node sees them, against the real API server and
/// controller-manager: the StatefulSet controller makes the claims, the PVC-protection
/// controller holds a claim while a pod uses it, and the garbage collector is not needed.
/// </summary>
public sealed class VolumeTests(ControlPlaneWithControllersFixture fixture)
{
    private const string Claim = "data-double-0";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static bool Restarted(Pod pod, int times) =>
        LocalNodeScenario.IsReady(pod) && pod.Status!.ContainerStatuses!.Single(c => c.Name == "agent").RestartCount == times;

    [Fact]
    public async Task A_claim_directory_keeps_its_files_across_a_killed_process_and_a_recreated_pod()
    {
        await using var scenario = await LocalNodeScenario.StartAsync(fixture, "vol-keep");
        await scenario.CreateDependenciesAsync();
        await scenario.Client.CreateAsync(KubeResources.StatefulSets, scenario.StatefulSet("double", 1), Ct);
        var first = (await scenario.ReadyPodsAsync("double", 1))[0];
        var directory = scenario.Node.ClaimDirectory(scenario.Namespace, Claim);
        Assert.NotNull(directory);
        Assert.Equal(directory, (await LocalNodeScenario.EnvironmentOfAsync(first.Status!.PodIp!))["DATACLUSTER_DATA_DIR"]);
        await File.WriteAllTextAsync(Path.Combine(directory, "segment-0"), "acknowledged", Ct);

        await scenario.Node.CrashAsync(scenario.Namespace, "double-0");
        await scenario.PodAsync("double-0", p => Restarted(p, 1), "is Ready again after one restart");
        await scenario.Client.DeleteAsync(KubeResources.Pods, scenario.Namespace, "double-0", cancellationToken: Ct);
        var recreated = await scenario.PodAsync("double-0", p => p.Metadata.Uid != first.Metadata.Uid && LocalNodeScenario.IsReady(p), "is recreated and Ready");

        Assert.Equal(directory, scenario.Node.ClaimDirectory(scenario.Namespace, Claim));
        Assert.Equal(directory, (await LocalNodeScenario.EnvironmentOfAsync(recreated.Status!.PodIp!))["DATACLUSTER_DATA_DIR"]);
        Assert.Equal("acknowledged", await File.ReadAllTextAsync(Path.Combine(directory, "segment-0"), Ct));
        // Each start appended its pid there: the first, the restart after the kill, the new pod.
        Assert.Equal(3, (await LocalNodeScenario.StartsOfAsync(recreated.Status.PodIp!)).Length);
    }

    [Fact]
    public async Task Deleting_a_claim_removes_its_directory_once_no_pod_uses_it_and_a_new_claim_starts_empty()
    {
        await using var scenario = await LocalNodeScenario.StartAsync(fixture, "vol-delete");
        await scenario.CreateDependenciesAsync();
        await scenario.Client.CreateAsync(KubeResources.StatefulSets, scenario.StatefulSet("double", 1), Ct);
        await scenario.ReadyPodsAsync("double", 1);
        var pid = scenario.Node.Process(scenario.Namespace, "double-0")!.Pid!.Value;
        var directory = scenario.Node.ClaimDirectory(scenario.Namespace, Claim)!;

        await scenario.Client.DeleteAsync(KubeResources.PersistentVolumeClaims, scenario.Namespace, Claim, cancellationToken: Ct);
        var deleting = await Eventually.UntilAsync(
            async () => await scenario.Client.GetAsync(KubeResources.PersistentVolumeClaims, scenario.Namespace, Claim, Ct) is { Metadata.DeletionTimestamp: not null } claim ? claim : null,
            LocalNodeScenario.Patience,
            "the claim is being deleted");
        Assert.Contains("kubernetes.io/pvc-protection", deleting.Metadata.Finalizers ?? []);
        Assert.True(Directory.Exists(directory), "the directory went while a pod still used the claim");
        Assert.Equal(pid, scenario.Node.Process(scenario.Namespace, "double-0")!.Pid);

        await Scale(scenario, 0);
        await Eventually.UntilAsync(() => !Directory.Exists(directory), LocalNodeScenario.Patience, "the claim's directory is removed once the pod is gone");
        Assert.Null(await scenario.Client.GetAsync(KubeResources.PersistentVolumeClaims, scenario.Namespace, Claim, Ct));

        await Scale(scenario, 1);
        var pod = (await scenario.ReadyPodsAsync("double", 1))[0];
        Assert.NotEqual(directory, scenario.Node.ClaimDirectory(scenario.Namespace, Claim));
        Assert.Single(await LocalNodeScenario.StartsOfAsync(pod.Status!.PodIp!));
    }

    [Fact]
    public async Task Secret_and_ConfigMap_volumes_hold_each_key_as_a_file_at_the_mount_path()
    {
        await using var scenario = await LocalNodeScenario.StartAsync(fixture, "vol-secret");
        await scenario.CreateDependenciesAsync();
        await scenario.Client.CreateAsync(KubeResources.Secrets, new Secret
        {
            Metadata = new ObjectMeta { Name = "creds", Namespace = scenario.Namespace },
            StringData = new() { ["user"] = "alice", ["password"] = "not projected" },
        }, Ct);
        var statefulSet = scenario.StatefulSet("double", 1, spec =>
        {
            spec.Volumes!.Add(new Volume
            {
                Name = "creds",
                Secret = new SecretVolumeSource { SecretName = "creds", DefaultMode = 288, Items = [new KeyToPath { Key = "user", Path = "login/user" }] },
            });
            spec.Volumes.Add(new Volume { Name = "settings", ConfigMap = new ConfigMapVolumeSource { Name = "settings" } });
            var agent = spec.Containers[1];
            agent.VolumeMounts!.Add(new VolumeMount { Name = "creds", MountPath = "/etc/creds", ReadOnly = true });
            agent.VolumeMounts.Add(new VolumeMount { Name = "settings", MountPath = "/etc/settings", ReadOnly = true });
            agent.Env!.Add(new EnvVar { Name = "USER_FILE", Value = "/etc/creds/login/user" });
            agent.Env.Add(new EnvVar { Name = "PASSWORD_FILE", Value = "/etc/creds/password" });
            agent.Env.Add(new EnvVar { Name = "LEVEL_FILE", Value = "/etc/settings/level" });
        });
        await scenario.Client.CreateAsync(KubeResources.StatefulSets, statefulSet, Ct);
        var ip = (await scenario.ReadyPodsAsync("double", 1))[0].Status!.PodIp!;

        Assert.Equal("alice", await ReadThroughThePodAsync(ip, "USER_FILE"));
        Assert.Equal("peer-secret", await ReadThroughThePodAsync(ip, "DATACLUSTER_PEER_TOKEN_FILE"));
        Assert.Equal("Debug", await ReadThroughThePodAsync(ip, "LEVEL_FILE"));
        Assert.Null(await ReadThroughThePodAsync(ip, "PASSWORD_FILE")); // not among the items
        var env = await LocalNodeScenario.EnvironmentOfAsync(ip);
        Assert.StartsWith(scenario.Node.RunDirectory, env["USER_FILE"], StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead, File.GetUnixFileMode(env["USER_FILE"])); // 0440
            Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(env["DATACLUSTER_PEER_TOKEN_FILE"])); // 0400
        }
    }

    /// <summary>The contents of the file the pod's variable names, as the pod's process reads it; null when it cannot.</summary>
    private static async Task<string?> ReadThroughThePodAsync(string ip, string variable)
    {
        using var response = await LocalNodeScenario.Http.GetAsync(new Uri($"http://{ip}:8080/file/{variable}"), Ct);
        return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(Ct) : null;
    }

    private static Task Scale(LocalNodeScenario scenario, int replicas) =>
        scenario.Client.MergePatchAsync(
            KubeResources.StatefulSets, scenario.Namespace, "double", new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas } }, Ct);
}
