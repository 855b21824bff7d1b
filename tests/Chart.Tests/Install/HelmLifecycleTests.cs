using System.Diagnostics;
using System.Text.Json.Nodes;
using DataCluster.Chart.Tests.Security;
using DataCluster.Chart.Tests.Support;
using DataCluster.LocalCluster;
using DataCluster.LocalCluster.ControlPlane;
using DataCluster.Testing;
using DataCluster.Testing.Telemetry;
using Xunit;

namespace DataCluster.Chart.Tests.Install;

/// <summary>
/// The chart installed, upgraded and uninstalled with helm on a local cluster whose node runs the
/// operator image as the published operator and the agent image as the published agent: the
/// operator's pods run and elect a leader, a sample DataCluster forms its ring, an upgrade rolls
/// the operator without touching the ring, and an uninstall leaves the CRD and the DataCluster.
/// Along the way the DataCluster is captured in each state for the GitOps health checks, and
/// the pods as they run are checked against the restricted Pod Security Standard.
/// </summary>
public sealed class HelmLifecycleTests(LocalClusterFixture fixture) : IClassFixture<LocalClusterFixture>
{
    private const string ReleaseNamespace = "datacluster-system";
    private const string Operator = Helm.Release + "-operator";
    private const string Sample = "minimal";
    private const string OperatorUser = $"system:serviceaccount:{ReleaseNamespace}:{Operator}";
    private const string DataClusters = "/apis/datacluster.dev/v1alpha1/namespaces";

    /// <summary>Pods start and a ring forms within tens of seconds here, on two busy cores; this only catches hangs.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>A rollout of two pods, each old one stopped within the chart's 40 s grace; this only catches hangs.</summary>
    private static readonly TimeSpan RolloutTimeout = TimeSpan.FromSeconds(150);

    /// <summary>A killed member shows in the status once it has been not ready for a lease duration (6 s by default); this only catches hangs.</summary>
    private static readonly TimeSpan MemberLossTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Polling the API server and the agents a few times a second is plenty for states that take seconds.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    private static readonly HttpClient Metrics = new() { Timeout = TimeSpan.FromSeconds(5) };

    private static readonly string[] Members = [$"{Sample}-0", $"{Sample}-1", $"{Sample}-2"];

    [Fact]
    public async Task Install_upgrade_and_uninstall_run_the_operator_keep_the_ring_and_leave_the_DataCluster()
    {
        var plane = fixture.Plane;
        var log = TestContext.Current.TestOutputHelper;
        var clock = Stopwatch.StartNew();
        var captured = new List<CapturedState>();

        // helm install: two operator pods run, become Ready, and one leads.
        await HelmAsync("install", Helm.Release, Repository.Chart, "--namespace", ReleaseNamespace, "--create-namespace");
        var installed = await OperatorPodsReadyAsync(previous: []);
        var leader = await LeaderAsync(installed);
        log?.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: installed; operator pods {string.Join(", ", installed)} ready, {leader} leads.");

        // The sample, applied with kubectl, is reported progressing and then Ready with its ring formed.
        var ns = await plane.CreateNamespaceAsync("shop", TestContext.Current.CancellationToken);
        await KubectlAsync("apply", "--namespace", ns, "-f", "crds/samples/minimal.yaml");
        captured.Add(CapturedStates.Capture("just-applied", "Progressing", await DataClusterAsync(ns, Sample, dc => HasStatus(dc) && Condition(dc, "Ready") != "True", "the operator reported the new DataCluster not Ready yet")));
        var ready = await DataClusterAsync(ns, Sample, dc => IsReady(dc, Members.Length), "the DataCluster is Ready with 3 members");
        captured.Add(CapturedStates.Capture("three-members-ready", "Healthy", ready));
        var ring = await Eventually.UntilAsync(
            () => RingAgreement.CheckAsync(fixture.Node, fixture.Agents, ns, Members, cancellationToken: TestContext.Current.CancellationToken),
            Timeout, "the agents agree on one ring of 3 members", interval: Poll);
        var agents = AgentProcesses(ns);
        log?.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: {Sample} Ready, ring epoch {ring.Values.First().Epoch}.");

        // The pods as they run pass the restricted Pod Security Standard.
        AssertRestricted([.. await fixture.ListAsync($"/api/v1/namespaces/{ReleaseNamespace}/pods"), .. await fixture.ListAsync($"/api/v1/namespaces/{ns}/pods")]);

        // helm upgrade with other values rolls the operator; the new leader writes nothing of the cluster's.
        var since = DateTimeOffset.UtcNow;
        await HelmAsync("upgrade", Helm.Release, Repository.Chart, "--namespace", ReleaseNamespace,
            "--set", "logLevel=Debug", "--set", "podLabels.tier=control-plane", "--set", "resources.requests.cpu=50m", "--set", "resources.limits.memory=300Mi");
        var upgraded = await OperatorPodsReadyAsync(previous: installed);
        var newLeader = await LeaderAsync(upgraded);
        await ReconciledAsync(newLeader);
        var pods = await fixture.ListAsync($"/api/v1/namespaces/{ReleaseNamespace}/pods");
        Assert.All(pods, pod =>
        {
            Assert.Equal("control-plane", (string?)pod["metadata"]!["labels"]!["tier"]);
            var container = pod["spec"]!["containers"]![0]!;
            Assert.Contains("--log-level=Debug", container["args"]!.AsArray().Select(a => (string?)a));
            Assert.Equal("300Mi", (string?)container["resources"]!["limits"]!["memory"]);
        });
        var afterUpgrade = await fixture.GetAsync($"{DataClusters}/{ns}/dataclusters/{Sample}");
        Assert.True(afterUpgrade is not null && IsReady(afterUpgrade, Members.Length), $"{Sample} is not Ready after the upgrade:\n{CapturedStates.Conditions(afterUpgrade!)}");
        Assert.Equal(JsonText(ready["status"]!["membershipEpoch"]), JsonText(afterUpgrade["status"]!["membershipEpoch"]));
        Assert.Equal(agents, AgentProcesses(ns));
        var ringAfter = await RingAgreement.CheckAsync(fixture.Node, fixture.Agents, ns, Members, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(ringAfter is not null && ringAfter.Values.All(r => r.Epoch == ring.Values.First().Epoch), "The agents' ring changed during the operator's upgrade.");
        var writes = AuditLog.Read(plane.AuditLogPath).Where(e => e.Time >= since && e.User == OperatorUser && e.IsWrite).ToList();
        var owned = writes.Where(e => e.Namespace == ns && e.Resource != "events" && !(e.Resource == "dataclusters" && e.Subresource == "status")).ToList();
        log?.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: upgraded; operator pods {string.Join(", ", upgraded)}, {newLeader} leads. Operator writes since the upgrade: " +
            $"{owned.Count} to {Sample}'s objects, {writes.Count(e => e.Resource == "dataclusters" && e.Subresource == "status")} to its status, {writes.Count(e => e.Resource == "leases" && e.Namespace == ReleaseNamespace)} to the election Lease, {writes.Count(e => e.Resource == "events")} Events.");
        log?.WriteLine($"Old operator pods, from the ReplicaSet's delete to the local node's final one (SIGTERM until the process exited): {StopTimes(writes: AuditLog.Read(plane.AuditLogPath), installed)}.");
        Assert.True(owned.Count == 0, $"The operator wrote to {Sample}'s objects during its upgrade:\n{string.Join("\n", owned.Select(e => $"  {e.Time:HH:mm:ss.fff} {e.Verb} {e.Resource}{(e.Subresource.Length > 0 ? "/" + e.Subresource : "")} {e.Name} -> {e.Code}"))}");

        // A member killed (SIGKILLed again whenever it restarts) until the status says so.
        using (var killing = new CancellationTokenSource())
        {
            var killer = KeepKillingAsync(ns, Members[^1], killing.Token);
            captured.Add(CapturedStates.Capture("member-killed", "Degraded", await DataClusterAsync(ns, Sample,
                dc => Condition(dc, "Stalled") == "True" && Condition(dc, "Degraded") == "True", $"the status shows {Members[^1]} lost", MemberLossTimeout)));
            await killing.CancelAsync();
            log?.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: {Members[^1]}'s agent SIGKILLed {await killer} time(s) until the status showed it.");
        }

        // A spec the schema accepts and the operator refuses.
        await KubectlApplyAsync(ns, """
            apiVersion: datacluster.dev/v1alpha1
            kind: DataCluster
            metadata:
              name: invalid
            spec:
              replicas: 2
              replication:
                factor: 3
            """);
        captured.Add(CapturedStates.Capture("invalid-spec", "Degraded", await DataClusterAsync(ns, "invalid", dc => Condition(dc, "Valid") == "False", "the operator reported the spec invalid")));

        await CapturedStates.CheckAsync(captured);
        var written = await CapturedStates.WriteIfAskedAsync(captured);
        log?.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: {captured.Count} states checked by Argo CD's health check and kstatus; {written} written to {GitOps.HealthCheckTests.CapturedDirectory}.");

        // helm uninstall removes the release's objects; the CRD and the DataClusters with their objects stay.
        var manifest = Manifests.Parse((await HelmAsync("get", "manifest", Helm.Release, "--namespace", ReleaseNamespace)).Output);
        await HelmAsync("uninstall", Helm.Release, "--namespace", ReleaseNamespace);
        foreach (var obj in manifest)
        {
            var path = PathOf(obj);
            await Eventually.UntilAsync(async () => await fixture.GetAsync(path) is null ? path : null, Timeout, $"{path} is gone after helm uninstall", interval: Poll);
        }

        await Eventually.UntilAsync(
            async () => (await fixture.ListAsync($"/api/v1/namespaces/{ReleaseNamespace}/pods")).Count == 0 && fixture.Node.Processes(ReleaseNamespace).Count == 0 ? "" : null,
            RolloutTimeout, "the operator's pods and processes are gone", interval: Poll);
        Assert.NotNull(await fixture.GetAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/dataclusters.datacluster.dev"));
        foreach (var path in OwnedObjects(ns, Sample).Append($"{DataClusters}/{ns}/dataclusters/{Sample}").Append($"{DataClusters}/{ns}/dataclusters/invalid"))
        {
            Assert.True(await fixture.GetAsync(path) is not null, $"{path} is gone after helm uninstall.");
        }

        Assert.All(Members[..^1], m => Assert.True(fixture.Node.Process(ns, m) is { Running: true }, $"{m}'s agent stopped after helm uninstall."));
        log?.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: uninstalled; {manifest.Count} objects of the release gone; the CRD, both DataClusters and {OwnedObjects(ns, Sample).Count} objects of {Sample} stay.");
    }

    /// <summary>The objects the operator makes for a DataCluster that hold or describe its data and members.</summary>
    private static IReadOnlyList<string> OwnedObjects(string ns, string name) =>
    [
        $"/apis/apps/v1/namespaces/{ns}/statefulsets/{name}",
        $"/api/v1/namespaces/{ns}/services/{name}",
        $"/api/v1/namespaces/{ns}/services/{name}-peers",
        $"/api/v1/namespaces/{ns}/services/{name}-ring",
        $"/apis/discovery.k8s.io/v1beta1/namespaces/{ns}/endpointslices/{name}-ring",
        $"/apis/policy/v1beta1/namespaces/{ns}/poddisruptionbudgets/{name}",
        $"/api/v1/namespaces/{ns}/serviceaccounts/{name}-agent",
        $"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles/{name}-agent",
        $"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings/{name}-agent",
        $"/api/v1/namespaces/{ns}/secrets/{name}-peer-token",
        $"/api/v1/namespaces/{ns}/configmaps/{name}-assignment",
        $"/api/v1/namespaces/{ns}/persistentvolumeclaims/data-{name}-0",
        $"/apis/coordination.k8s.io/v1/namespaces/{ns}/leases/{name}-leader",
    ];

    /// <summary>The API path of an object helm rendered.</summary>
    private static string PathOf(JsonObject obj)
    {
        var apiVersion = (string)obj["apiVersion"]!;
        var kind = (string)obj["kind"]!;
        var name = (string)obj["metadata"]!["name"]!;
        var ns = (string?)obj["metadata"]!["namespace"];
        var plural = kind switch
        {
            "ServiceAccount" => "serviceaccounts",
            "ClusterRole" => "clusterroles",
            "ClusterRoleBinding" => "clusterrolebindings",
            "Service" => "services",
            "Deployment" => "deployments",
            "ServiceMonitor" => "servicemonitors",
            _ => throw new InvalidOperationException($"The chart rendered a {kind}; add its resource name here."),
        };
        var group = apiVersion.Contains('/', StringComparison.Ordinal) ? $"/apis/{apiVersion}" : $"/api/{apiVersion}";
        return ns is null ? $"{group}/{plural}/{name}" : $"{group}/namespaces/{ns}/{plural}/{name}";
    }

    private async Task<ProcessResult> HelmAsync(params string[] arguments) =>
        (await Run.ProcessAsync(Tools.Helm, [.. arguments, "--kubeconfig", fixture.Plane.KubeconfigPath])).Succeeded($"helm {arguments[0]}");

    private async Task KubectlAsync(params string[] arguments) =>
        (await Run.ProcessAsync(Tools.Kubectl, ["--kubeconfig", fixture.Plane.KubeconfigPath, .. arguments])).Succeeded($"kubectl {arguments[0]}");

    private async Task KubectlApplyAsync(string ns, string yaml) =>
        (await Run.ProcessAsync(Tools.Kubectl, ["--kubeconfig", fixture.Plane.KubeconfigPath, "apply", "--namespace", ns, "-f", "-"], yaml)).Succeeded("kubectl apply");

    /// <summary>Waits until exactly two operator pods exist, none of <paramref name="previous"/>, all Ready and running here; returns their names.</summary>
    private async Task<IReadOnlyList<string>> OperatorPodsReadyAsync(IReadOnlyList<string> previous)
    {
        var names = await Eventually.UntilAsync(async () =>
        {
            var pods = await fixture.ListAsync($"/api/v1/namespaces/{ReleaseNamespace}/pods");
            var deployment = await fixture.GetAsync($"/apis/apps/v1/namespaces/{ReleaseNamespace}/deployments/{Operator}");
            var rolled = deployment?["status"] is JsonObject status
                && JsonText(status["observedGeneration"]) == JsonText(deployment["metadata"]!["generation"])
                && JsonText(status["updatedReplicas"]) == "2" && JsonText(status["readyReplicas"]) == "2" && JsonText(status["replicas"]) == "2";
            var ready = pods.Where(p => p["metadata"]!["deletionTimestamp"] is null && IsPodReady(p)).Select(p => (string)p["metadata"]!["name"]!).ToList();
            return rolled && pods.Count == 2 && ready.Count == 2 && !ready.Intersect(previous).Any()
                && ready.All(n => fixture.Node.Process(ReleaseNamespace, n) is { Running: true, Ready: true })
                ? ready
                : null;
        }, previous.Count == 0 ? Timeout : RolloutTimeout, "the operator Deployment's two pods run and are Ready", () => OperatorDiagnostics(), Poll);
        return names;
    }

    /// <summary>Waits until one of <paramref name="pods"/> holds the election Lease; returns it.</summary>
    private async Task<string> LeaderAsync(IReadOnlyList<string> pods) =>
        await Eventually.UntilAsync(
            async () => (string?)(await fixture.GetAsync($"/apis/coordination.k8s.io/v1/namespaces/{ReleaseNamespace}/leases/{Contracts.OperatorEnvironment.LeaderElectionLeaseName}"))?["spec"]?["holderIdentity"] is { } holder && pods.Contains(holder) ? holder : null,
            Timeout, $"one of {string.Join(", ", pods)} holds the leader Lease", () => OperatorDiagnostics(), Poll);

    /// <summary>Waits until the leader's /metrics says it leads and has reconciled at least once.</summary>
    private async Task ReconciledAsync(string leader)
    {
        var address = fixture.Node.Process(ReleaseNamespace, leader)!.Address;
        var port = (long)ChartFacts.Values["metrics"]!["port"]!;
        await Eventually.UntilAsync(async () =>
        {
            var families = PrometheusText.Parse(await Metrics.GetStringAsync(new Uri($"http://{address}:{port}/metrics"), TestContext.Current.CancellationToken));
            var reconciles = families["datacluster_operator_reconcile_total"].Samples.Where(s => s.Label("result") is "success" or "requeue").Sum(s => s.Value);
            return families["datacluster_operator_leader"].Samples.Single().Value == 1 && reconciles > 0 ? "" : null;
        }, Timeout, $"{leader} leads and has reconciled", () => OperatorDiagnostics(), Poll);
    }

    /// <summary>Waits until the DataCluster meets <paramref name="condition"/>; returns the object that met it.</summary>
    private Task<JsonObject> DataClusterAsync(string ns, string name, Func<JsonObject, bool> condition, string what, TimeSpan? timeout = null)
    {
        JsonObject? last = null;
        return Eventually.UntilAsync(
            async () => (last = await fixture.GetAsync($"{DataClusters}/{ns}/dataclusters/{name}")) is { } dc && condition(dc) ? dc : null,
            timeout ?? Timeout, what, () => last is null ? "No such DataCluster." : $"Last status:\n{CapturedStates.Conditions(last)}\n{OperatorDiagnostics()}", Poll);
    }

    /// <summary>For each pod, the time between the first and the last delete of it in the audit log.</summary>
    private static string StopTimes(IReadOnlyList<AuditEvent> writes, IReadOnlyList<string> pods) =>
        string.Join(", ", pods.Select(pod =>
        {
            var deletes = writes.Where(e => e.Verb == "delete" && e.Resource == "pods" && e.Namespace == ReleaseNamespace && e.Name == pod).ToList();
            return deletes.Count < 2 ? $"{pod} ?" : $"{pod} {(deletes[^1].Time - deletes[0].Time).TotalSeconds:0.0} s";
        }));

    /// <summary>SIGKILLs the pod's process whenever it runs, until cancelled; returns how many times.</summary>
    private async Task<int> KeepKillingAsync(string ns, string pod, CancellationToken cancellationToken)
    {
        var kills = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (fixture.Node.Process(ns, pod) is { Running: true })
            {
                try
                {
                    await fixture.Node.CrashAsync(ns, pod);
                    kills++;
                }
                catch (InvalidOperationException)
                {
                    // It exited in between, or waits to restart: nothing to kill now.
                }
            }

            try
            {
                await Task.Delay(Poll, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return kills;
    }

    /// <summary>Pid and restart count of each member's agent.</summary>
    private IReadOnlyList<string> AgentProcesses(string ns) =>
        [.. Members.Select(m => fixture.Node.Process(ns, m) is { } p ? $"{m}: pid {p.Pid}, restarts {p.RestartCount}" : $"{m}: none")];

    private static void AssertRestricted(IReadOnlyList<JsonObject> pods)
    {
        Assert.Equal(2 + Members.Length, pods.Count);
        var violations = pods.SelectMany(p => RestrictedPodSecurity.Check(p).Select(v => $"{p["metadata"]!["name"]}: {v.Where}: {v.Rule}: {v.Detail}")).ToList();
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    private string OperatorDiagnostics() =>
        string.Join("\n", fixture.Node.Processes(ReleaseNamespace).Select(p => $"{p.Pod}: pid {p.Pid}, ready {p.Ready}, restarts {p.RestartCount}\n{Cluster.Tail(p.LogFile, 15)}"));

    private static bool HasStatus(JsonObject dc) => dc["status"]?["conditions"] is JsonArray { Count: > 0 };

    private static bool IsReady(JsonObject dc, int members) =>
        Condition(dc, "Ready") == "True" && JsonText(dc["status"]?["readyMembers"]) == members.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string? Condition(JsonObject dc, string type) =>
        (string?)(dc["status"]?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c?["type"] == type)?["status"]);

    private static bool IsPodReady(JsonObject pod) =>
        pod["status"]?["conditions"]?.AsArray().Any(c => (string?)c?["type"] == "Ready" && (string?)c?["status"] == "True") == true;

    private static string? JsonText(JsonNode? node) => node?.ToJsonString();
}
