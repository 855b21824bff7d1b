using System.Diagnostics;
using System.Globalization;
using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Models;
using DataCluster.LocalCluster;
using DataCluster.LocalCluster.ControlPlane;
using DataCluster.Operator.Rbac;

namespace DataCluster.Demo;

/// <summary>
/// The demo's steps: start a local cluster, apply a sample DataCluster, show kubectl's view and
/// the ring, write events for a key, kill its partition's leader and show the failover, read the
/// events back in order, then hand over to the user until Ctrl-C.
/// Everything it starts is stopped and removed before <see cref="RunAsync"/> returns.
/// </summary>
internal sealed partial class Demo(TextWriter writer, bool once)
{
    private const string Namespace = "demo";
    private const string Sample = "crds/samples/three-zones.yaml";

    /// <summary>The image the operator puts into member pods; the local node runs the published agent for it.</summary>
    private const string AgentImage = "datacluster/agent:local";

    /// <summary>
    /// A ring forms within seconds of the pods starting; a cold machine with two cores can take
    /// much longer, and this only stops a demo that is stuck.
    /// </summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    private readonly Output _output = new(writer, steps: 8);
    private readonly AgentApiClient _agents = new();

    public async Task<int> RunAsync(CancellationToken stop)
    {
        _output.Title("DataCluster local demo");
        Cluster? cluster = null;
        try
        {
            var root = RepositoryLayout.Root();
            cluster = await StartClusterAsync(root, stop);
            var kubectl = new Kubectl(cluster.KubeconfigPath, root);
            var (name, replicas) = await ApplySampleAsync(root, kubectl, cluster, stop);
            var members = Enumerable.Range(0, replicas).Select(i => ObjectNames.Pod(name, i)).ToList();

            _output.Step("What kubectl sees");
            await ShowAsync(kubectl, stop, "get", "dc", "-n", Namespace);
            await ShowAsync(kubectl, stop, "get", "pods", "-n", Namespace, "-o", "wide");

            _output.Step("The ring, as every agent serves it (GET /v1/ring, GET /v1/owners/{key})");
            var ring = await WaitForRingAsync(cluster, members, null, stop);
            var owners = await OwnersAsync(cluster, members[0], stop);
            ShowRing(ring);
            ShowOwners(owners, null);

            var key = PickKey(owners, ring);
            var written = await WriteEventsAsync(cluster, members, key, stop);
            await KillPartitionLeaderAsync(cluster, kubectl, members, ring, owners, key, written, stop);
            var survivors = members.Where(m => m != key.Leader?.Id).ToList();
            await ReadBackAsync(cluster, survivors, key, written, stop);
            var leader = ring.Leader ?? members[0];

            _output.Step("Your turn");
            _output.Line("The cluster keeps running; the killed member comes back after its restart delay and");
            _output.Line("rejoins the ring. In another terminal:");
            _output.Line();
            _output.Line($"  export KUBECONFIG={cluster.KubeconfigPath}; kubectl get dc,pods,leases -n {Namespace}");
            _output.Line();
            _output.Line($"kubeconfig:     {cluster.KubeconfigPath}");
            _output.Line($"operator log:   {cluster.OperatorLog}");
            _output.Line($"agent logs:     {cluster.Node.RunDirectory}/{Namespace}.<pod>.{AgentPaths.ContainerName}.log");
            _output.Line($"agent API:      curl http://{cluster.Node.Process(Namespace, leader)!.Address}:{AgentPorts.Client}/v1/ring");
            if (once)
            {
                _output.Line();
                _output.Line("Non-interactive run (--once or DEMO_EXIT=1): cleaning up now.");
            }
            else
            {
                _output.Line();
                _output.Line("Press Ctrl-C to stop everything and clean up.");
                _output.Flush();
                await Task.Delay(Timeout.Infinite, stop).ContinueWith(_ => { }, TaskScheduler.Default);
                _output.Line();
                _output.Line("Ctrl-C: cleaning up.");
            }

            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            _output.Line();
            _output.Line("Interrupted: cleaning up.");
            return 130;
        }
        catch (Exception e) when (e is DemoException or TimeoutException or FileNotFoundException or InvalidOperationException or Kube.Errors.KubeApiException or HttpRequestException)
        {
            writer.WriteLine();
            writer.WriteLine($"datacluster-demo: {e.Message}");
            if (cluster is not null)
            {
                writer.WriteLine($"operator log (last lines of {cluster.OperatorLog}):");
                writer.WriteLine(Cluster.Tail(cluster.OperatorLog, 20));
            }

            return 1;
        }
        finally
        {
            _agents.Dispose();
            _events.Dispose();
            foreach (var services in _clientServices)
            {
                await services.DisposeAsync();
            }
            if (cluster is not null)
            {
                await cluster.DisposeAsync();
                _output.Line("Stopped the agents, the operator, kube-controller-manager, kube-apiserver and etcd, and removed their files.");
            }

            _output.Flush();
        }
    }

    private async Task<Cluster> StartClusterAsync(string root, CancellationToken stop)
    {
        _output.Step("Starting a local cluster: etcd, kube-apiserver, kube-controller-manager, the operator and the local node");
        if (!EnvtestAssets.TryLocate(out var assets, out var problem))
        {
            throw new DemoException(problem);
        }

        var agentBinary = RepositoryLayout.AgentBinary(root);
        if (!File.Exists(agentBinary))
        {
            throw new DemoException($"The published agent {agentBinary} is missing. Run 'make publish-agent' (make demo does).");
        }

        _output.Line($"Kubernetes 1.20 binaries from {assets!.Directory}");
        _output.Flush();
        var clock = Stopwatch.StartNew();
        var cluster = await Cluster.StartAsync(
            assets,
            OperatorClusterOptions.Create(
                RepositoryLayout.CrdManifest(root), Path.Combine(AppContext.BaseDirectory, "datacluster-operator.dll"), AgentImage, agentBinary),
            stop);
        _output.Line(string.Create(CultureInfo.InvariantCulture, $"API server {cluster.Plane.Server.ToString().TrimEnd('/')} up in {clock.Elapsed.TotalSeconds:0.0} s"));
        _output.Line($"CRD dataclusters.{DataClusterApi.Group} installed from {Path.GetRelativePath(root, RepositoryLayout.CrdManifest(root))}");
        _output.Line($"Operator running as user \"operator\" bound to ClusterRole {OperatorRbacBuilder.Name}, agent image {AgentImage}");
        _output.Line($"Local node: Nodes {string.Join(", ", cluster.Node.Nodes.Select(n => $"{n.Name} ({n.Zone})"))}; it runs image {AgentImage} as");
        _output.Line($"  {Path.GetRelativePath(root, agentBinary)} on its own address from 127.0.0.10 up (other containers get no process)");
        return cluster;
    }

    private async Task<(string Name, int Replicas)> ApplySampleAsync(string root, Kubectl kubectl, Cluster cluster, CancellationToken stop)
    {
        var sample = Manifests.Parse(await File.ReadAllTextAsync(Path.Combine(root, Sample), stop)).Single();
        var name = (string?)sample["metadata"]?["name"] ?? throw new DemoException($"{Sample} has no metadata.name.");
        var replicas = sample["spec"]?["replicas"]?.GetValue<long>() is { } r ? (int)r : 3;

        _output.Step($"Applying a {replicas}-member DataCluster over two zones ({Sample})");
        await ShowAsync(kubectl, stop, "create", "namespace", Namespace);
        await ShowAsync(kubectl, stop, "apply", "-n", Namespace, "-f", Sample);
        _output.Line("Waiting for the operator to create the members, the local node to start their agents,");
        _output.Line("and the agents to elect a leader and publish an assignment ...");
        _output.Flush();
        var clock = Stopwatch.StartNew();
        var members = Enumerable.Range(0, replicas).Select(i => ObjectNames.Pod(name, i)).ToList();
        await WaitForRingAsync(cluster, members, null, stop);
        await WaitForReadyAsync(cluster, name, replicas, stop);
        _output.Line(string.Create(CultureInfo.InvariantCulture, $"Ring formed and {replicas}/{replicas} members Ready after {clock.Elapsed.TotalSeconds:0.0} s."));
        return (name, replicas);
    }

    private async Task ShowAsync(Kubectl kubectl, CancellationToken stop, params string[] arguments)
    {
        var (commandLine, text, exitCode) = await kubectl.RunAsync(stop, arguments);
        _output.Command(commandLine, text);
        if (exitCode != 0)
        {
            throw new DemoException($"'{commandLine}' failed with exit code {exitCode}.");
        }

        _output.Flush();
    }

    /// <summary>Waits until the DataCluster's status reports every member ready, so kubectl shows a settled cluster.</summary>
    private static async Task WaitForReadyAsync(Cluster cluster, string name, int replicas, CancellationToken stop)
    {
        var type = Operator.Api.DataClusterResource.Type;
        var deadline = DateTime.UtcNow + Patience;
        while ((await cluster.Admin.GetAsync(type, Namespace, name, stop))?.Status?.ReadyMembers != replicas)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new DemoException($"DataCluster {Namespace}/{name} did not report {replicas} ready members within {Patience.TotalSeconds:0} s.");
            }

            // The operator updates the status within moments of the pods turning Ready.
            await Task.Delay(TimeSpan.FromMilliseconds(200), stop);
        }
    }
}
