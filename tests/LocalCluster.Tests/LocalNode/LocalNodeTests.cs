using System.Diagnostics;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.LocalCluster.Tests.LocalNode;

/// <summary>The local node against the real API server and controller-manager, with a plain StatefulSet of the agent test double.</summary>
public sealed class LocalNodeTests(ControlPlaneWithControllersFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StatefulSet_pods_are_spread_over_zones_run_with_their_resolved_environment_and_turn_Ready()
    {
        await using var scenario = await LocalNodeScenario.StartAsync(fixture, "ln-run");
        await scenario.CreateDependenciesAsync();
        await scenario.Client.CreateAsync(KubeResources.StatefulSets, scenario.StatefulSet("double", 3), Ct);

        var pods = await scenario.ReadyPodsAsync("double", 3);

        var nodes = (await scenario.Client.ListAsync(KubeResources.Nodes, null, null, Ct)).Items.Where(n => n.Metadata.Name!.StartsWith(scenario.Namespace, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, nodes.Count);
        Assert.All(nodes, n => Assert.Equal("True", n.Status!.Conditions!.Single(c => c.Type == "Ready").Status));
        Assert.All(nodes, n => Assert.DoesNotContain(n.Spec.Taints ?? [], t => t.Key == "node.kubernetes.io/not-ready"));
        var zoneOf = nodes.ToDictionary(n => n.Metadata.Name!, n => n.Metadata.Labels!["topology.kubernetes.io/zone"]);
        Assert.Equal(["zone-a", "zone-b"], pods.Select(p => zoneOf[p.Spec.NodeName!]).Distinct().Order());
        Assert.Equal(3, pods.Select(p => p.Status!.PodIp).Distinct().Count());

        foreach (var pod in pods)
        {
            var ip = pod.Status!.PodIp!;
            Assert.StartsWith("127.", ip, StringComparison.Ordinal);
            var process = scenario.Node.Process(scenario.Namespace, pod.Metadata.Name!)!;
            Assert.Equal(ip, process.Address);
            Assert.True(process.Ready);
            var env = await LocalNodeScenario.EnvironmentOfAsync(ip);
            Assert.Equal(pod.Metadata.Name, env["POD_NAME"]);
            Assert.Equal(ip, env["POD_IP"]);
            Assert.Equal(pod.Spec.NodeName, env["NODE_NAME"]);
            Assert.Equal("double", env["INSTANCE"]);
            Assert.Equal("hunter2", env["PASSWORD"]);
            Assert.Equal("Debug", env["LEVEL"]);
            Assert.Equal(ip, env["DATACLUSTER_BIND_ADDRESS"]);
            Assert.Equal($"http://{ip}:8080", env["SELF_URL"]);
            Assert.StartsWith(scenario.Node.RunDirectory, env["DATACLUSTER_DATA_DIR"], StringComparison.Ordinal);
            Assert.Equal(scenario.Node.ClaimDirectory(scenario.Namespace, $"data-{pod.Metadata.Name}"), env["DATACLUSTER_DATA_DIR"]);
            Assert.Equal("peer-secret", await LocalNodeScenario.Http.GetStringAsync(new Uri($"http://{ip}:8080/file/DATACLUSTER_PEER_TOKEN_FILE"), Ct));
            Assert.False(env.ContainsKey("KUBEBUILDER_ASSETS"), "the host's environment leaked into the pod");

            var app = pod.Status.ContainerStatuses!.Single(c => c.Name == "app");
            Assert.True(app.Ready);
            Assert.NotNull(app.State!.Running);
            var agent = pod.Status.ContainerStatuses!.Single(c => c.Name == "agent");
            Assert.Equal($"local://{process.Pid}", agent.ContainerId);
            Assert.Equal("Running", pod.Status.Phase);
        }

        // The process acts under the pod's ServiceAccount: what its Role allows, nothing more.
        var kubeconfig = (await LocalNodeScenario.EnvironmentOfAsync(pods[0].Status!.PodIp!))["KUBECONFIG"];
        using var asPod = new KubeClient(KubeConfig.FromFile(kubeconfig));
        Assert.NotNull(await asPod.GetAsync(KubeResources.Pods, scenario.Namespace, pods[0].Metadata.Name!, Ct));
        await Assert.ThrowsAsync<ForbiddenException>(() => asPod.ListAsync(KubeResources.Secrets, scenario.Namespace, null, Ct));
    }

    [Fact]
    public async Task Readiness_follows_the_probe_of_the_running_process()
    {
        await using var scenario = await LocalNodeScenario.StartAsync(fixture, "ln-ready");
        await scenario.CreateDependenciesAsync();
        await scenario.Client.CreateAsync(KubeResources.StatefulSets, scenario.StatefulSet("double", 1), Ct);
        var pod = (await scenario.ReadyPodsAsync("double", 1))[0];
        var dataDir = (await LocalNodeScenario.EnvironmentOfAsync(pod.Status!.PodIp!))["DATACLUSTER_DATA_DIR"];

        await File.WriteAllTextAsync(Path.Combine(dataDir, "not-ready"), "", Ct);
        var unready = await scenario.PodAsync("double-0", p => !LocalNodeScenario.IsReady(p), "turns not Ready");
        File.Delete(Path.Combine(dataDir, "not-ready"));
        await scenario.PodAsync("double-0", LocalNodeScenario.IsReady, "turns Ready again");

        Assert.Equal("ContainersNotReady", unready.Status!.Conditions!.Single(c => c.Type == "Ready").Reason);
        Assert.Equal(0, unready.Status.ContainerStatuses!.Single(c => c.Name == "agent").RestartCount);
    }

    [Fact]
    public async Task A_crash_keeps_the_pod_and_restarts_the_process_after_the_CrashLoopBackOff_delay()
    {
        await using var scenario = await LocalNodeScenario.StartAsync(fixture, "ln-crash");
        await scenario.CreateDependenciesAsync();
        await scenario.Client.CreateAsync(KubeResources.StatefulSets, scenario.StatefulSet("double", 1), Ct);
        var before = (await scenario.ReadyPodsAsync("double", 1))[0];
        var ip = before.Status!.PodIp!;

        var clock = Stopwatch.StartNew();
        var killed = await scenario.Node.CrashAsync(scenario.Namespace, "double-0");
        var crashed = await scenario.PodAsync("double-0", p => p.Status?.ContainerStatuses?.Single(c => c.Name == "agent").State?.Waiting?.Reason == "CrashLoopBackOff", "shows the agent in CrashLoopBackOff");
        var restarted = await scenario.PodAsync("double-0", p => LocalNodeScenario.IsReady(p) && p.Status!.ContainerStatuses!.Single(c => c.Name == "agent").RestartCount == 1, "is Ready again after one restart");
        var downFor = clock.Elapsed;

        Assert.False(LocalNodeScenario.IsAlive(killed));
        Assert.Equal(before.Metadata.Uid, restarted.Metadata.Uid);
        Assert.Equal(ip, restarted.Status!.PodIp);
        Assert.False(LocalNodeScenario.IsReady(crashed));
        var last = crashed.Status!.ContainerStatuses!.Single(c => c.Name == "agent").LastState!.Terminated!;
        Assert.Equal(137, last.ExitCode);
        Assert.Equal("Error", last.Reason);
        // A restart before the backoff would renew a member Lease before it expired: never sooner.
        Assert.True(downFor >= TimeSpan.FromSeconds(10), $"restarted after {downFor.TotalSeconds:0.0} s, before the 10 s backoff");
        var starts = await LocalNodeScenario.StartsOfAsync(ip);
        Assert.Equal(2, starts.Length);
        Assert.Equal(killed.ToString(System.Globalization.CultureInfo.InvariantCulture), starts[0]);
        Assert.NotEqual(killed, scenario.Node.Process(scenario.Namespace, "double-0")!.Pid);
    }

    [Fact]
    public async Task A_deleted_pod_gets_SIGTERM_and_comes_back_from_the_StatefulSet_with_its_address_and_data()
    {
        await using var scenario = await LocalNodeScenario.StartAsync(fixture, "ln-delete");
        await scenario.CreateDependenciesAsync();
        await scenario.Client.CreateAsync(KubeResources.StatefulSets, scenario.StatefulSet("double", 2), Ct);
        var before = (await scenario.ReadyPodsAsync("double", 2))[0];
        var ip = before.Status!.PodIp!;
        var oldPid = scenario.Node.Process(scenario.Namespace, "double-0")!.Pid!.Value;
        var dataDir = (await LocalNodeScenario.EnvironmentOfAsync(ip))["DATACLUSTER_DATA_DIR"];

        await scenario.Client.DeleteAsync(KubeResources.Pods, scenario.Namespace, "double-0", cancellationToken: Ct);
        var after = await scenario.PodAsync("double-0", p => p.Metadata.Uid != before.Metadata.Uid && LocalNodeScenario.IsReady(p), "is recreated and Ready");

        Assert.False(LocalNodeScenario.IsAlive(oldPid));
        Assert.Equal(ip, after.Status!.PodIp);
        Assert.Equal($"stopped {oldPid}", (await File.ReadAllTextAsync(Path.Combine(dataDir, "stops"), Ct)).Trim());
        Assert.Equal(2, (await LocalNodeScenario.StartsOfAsync(ip)).Length);
        Assert.Equal(0, after.Status.ContainerStatuses!.Single(c => c.Name == "agent").RestartCount);
    }

    [Fact]
    public async Task A_process_that_ignores_SIGTERM_is_killed_when_the_grace_period_ends()
    {
        await using var scenario = await LocalNodeScenario.StartAsync(fixture, "ln-grace");
        await scenario.CreateDependenciesAsync();
        var stubborn = scenario.StatefulSet("double", 1, spec =>
        {
            spec.TerminationGracePeriodSeconds = 3;
            spec.Containers[1].Env!.Add(new EnvVar { Name = "TEST_DOUBLE_IGNORE_SIGTERM", Value = "true" });
        });
        await scenario.Client.CreateAsync(KubeResources.StatefulSets, stubborn, Ct);
        await scenario.ReadyPodsAsync("double", 1);
        var pid = scenario.Node.Process(scenario.Namespace, "double-0")!.Pid!.Value;

        var clock = Stopwatch.StartNew();
        await scenario.Client.MergePatchAsync(KubeResources.StatefulSets, scenario.Namespace, "double", System.Text.Json.Nodes.JsonNode.Parse("""{"spec":{"replicas":0}}""")!, Ct);
        await Eventually.UntilAsync(async () => (await scenario.PodsAsync("double")).Count == 0, LocalNodeScenario.Patience, "the pod is gone");

        Assert.False(LocalNodeScenario.IsAlive(pid));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(3), $"the pod went after {clock.Elapsed.TotalSeconds:0.0} s, before its 3 s grace period ended");
        Assert.Null(scenario.Node.Process(scenario.Namespace, "double-0"));
    }

    [Fact]
    public async Task Stopping_the_local_node_kills_every_process_and_leaves_the_pods()
    {
        var scenario = await LocalNodeScenario.StartAsync(fixture, "ln-stop");
        await scenario.CreateDependenciesAsync();
        await scenario.Client.CreateAsync(KubeResources.StatefulSets, scenario.StatefulSet("double", 2), Ct);
        await scenario.ReadyPodsAsync("double", 2);
        var pids = scenario.Node.Processes(scenario.Namespace).Select(p => p.Pid!.Value).ToList();

        await scenario.DisposeAsync();

        Assert.Equal(2, pids.Count);
        Assert.All(pids, pid => Assert.False(LocalNodeScenario.IsAlive(pid)));
        using var client = new KubeClient(KubeConfig.FromFile(fixture.KubeconfigPath));
        Assert.Equal(2, (await client.ListAsync(KubeResources.Pods, scenario.Namespace, null, Ct)).Items.Count);
    }

    [Fact]
    public async Task An_image_nothing_stands_in_for_outside_a_member_pod_is_a_pod_error_naming_it()
    {
        await using var scenario = await LocalNodeScenario.StartAsync(fixture, "ln-image", o => o with { PodSelector = "app.kubernetes.io/name in (datacluster,datacluster-operator)" });
        var pod = new Pod
        {
            Metadata = new ObjectMeta { Name = "operator", Namespace = scenario.Namespace, Labels = new() { ["app.kubernetes.io/name"] = "datacluster-operator" } },
            Spec = new PodSpec { AutomountServiceAccountToken = false, Containers = [new Container { Name = "operator", Image = "example.com/unknown-operator:1" }] },
        };

        await scenario.Client.CreateAsync(KubeResources.Pods, pod, Ct);

        var waiting = await Eventually.UntilAsync(
            async () => (await scenario.Client.GetAsync(KubeResources.Pods, scenario.Namespace, "operator", Ct))?.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting is { Reason: "ErrImageNeverPull" } w ? w : null,
            LocalNodeScenario.Patience, "the pod shows that its image cannot be run");
        Assert.Contains("\"example.com/unknown-operator:1\"", waiting.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{LocalNodeScenario.Image}\"", waiting.Message, StringComparison.Ordinal);
        var status = (await scenario.Client.GetAsync(KubeResources.Pods, scenario.Namespace, "operator", Ct))!.Status!;
        Assert.Equal("False", status.Conditions!.Single(c => c.Type == "Ready").Status);
        Assert.Empty(scenario.Node.Processes(scenario.Namespace));
    }

    [Fact]
    public async Task Crashing_a_pod_the_node_does_not_run_says_so()
    {
        await using var scenario = await LocalNodeScenario.StartAsync(fixture, "ln-nopod");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => scenario.Node.CrashAsync(scenario.Namespace, "nothing-0"));

        Assert.Contains("runs no pod", error.Message, StringComparison.Ordinal);
    }
}
