using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Models;
using DataCluster.LocalCluster;
using DataCluster.LocalCluster.ControlPlane;
using DataCluster.Operator.Api;
using DataCluster.Ring;

namespace DataCluster.Writes.Bench;

/// <summary>
/// Three agents on this machine as a user gets them: a local control plane, the operator, and
/// the local node running the published agent for a DataCluster of three members, 256
/// partitions, QUORUM and fsync on every batch (the defaults). Writes go straight to the leader
/// of the key's partition, as a client that reads the assignment would send them (etcd's
/// clients likewise send to its leader).
/// </summary>
public sealed class AgentCluster : IAsyncDisposable
{
    private const string Namespace = "bench";
    private const string Name = "bench";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    private readonly Cluster _cluster;
    private readonly HttpClient _http;
    private Assignment _assignment = null!;
    private Dictionary<string, string> _addresses = new(StringComparer.Ordinal);

    private AgentCluster(Cluster cluster, int connections)
    {
        _cluster = cluster;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public IReadOnlyList<string> Members { get; } = [.. Enumerable.Range(0, 3).Select(i => ObjectNames.Pod(Name, i))];

    /// <summary>Starts the control plane, the operator and three agents (with <paramref name="environment"/> on their container), and waits until they serve one ring.</summary>
    public static async Task<AgentCluster> StartAsync(string root, int connections, IReadOnlyList<KeyValuePair<string, string>> environment, CancellationToken cancellationToken)
    {
        if (!EnvtestAssets.TryLocate(out var assets, out var problem))
        {
            throw new InvalidOperationException(problem);
        }

        var agentBinary = RepositoryLayout.AgentBinary(root);
        if (!File.Exists(agentBinary))
        {
            throw new InvalidOperationException($"The published agent {agentBinary} is missing: run make publish-agent.");
        }

        var cluster = await Cluster.StartAsync(
            assets!,
            OperatorClusterOptions.Create(
                RepositoryLayout.CrdManifest(root), Path.Combine(AppContext.BaseDirectory, "datacluster-operator.dll"), "datacluster/agent:bench", agentBinary,
                IPAddress.Parse("127.0.1.10")),
            cancellationToken);
        var agents = new AgentCluster(cluster, connections);
        try
        {
            await cluster.Admin.CreateAsync(KubeResources.Namespaces, new Namespace { Metadata = new ObjectMeta { Name = Namespace } }, cancellationToken);
            await cluster.Admin.CreateAsync(DataClusterResource.Type, new Operator.Api.DataCluster
            {
                Metadata = new ObjectMeta { Name = Name, Namespace = Namespace },
                Spec = new DataClusterSpec
                {
                    Replicas = 3,
                    Agent = new AgentSpec { Env = environment.Count == 0 ? null : [.. environment.Select(v => new EnvVar { Name = v.Key, Value = v.Value })] },
                },
            }, cancellationToken);
            await agents.WaitForRingAsync(cancellationToken);
            return agents;
        }
        catch
        {
            await agents.DisposeAsync();
            throw;
        }
    }

    /// <summary>Resident set size of each agent process, in bytes.</summary>
    public IReadOnlyList<long> ResidentBytes() =>
        [.. _cluster.Node.Processes(Namespace).Where(p => p.Pid is not null).Select(p => Rss.Of(p.Pid!.Value))];

    /// <summary>CPU seconds (user + system) each agent process has used so far.</summary>
    public IReadOnlyList<double> CpuSeconds() =>
        [.. _cluster.Node.Processes(Namespace).Where(p => p.Pid is not null).Select(p => CpuTime.Of(p.Pid!.Value))];

    /// <summary>Writes <paramref name="body"/> as an event of <paramref name="key"/> to its partition's leader; true when acknowledged.</summary>
    public async Task<bool> WriteAsync(string key, byte[] body, CancellationToken cancellationToken)
    {
        var leader = _assignment.LeaderOf(KeyHash.PartitionOf(key, _assignment.Partitions));
        if (leader is null || !_addresses.TryGetValue(leader, out var address))
        {
            return false;
        }

        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await _http.PostAsync(
            new Uri($"http://{address}:{AgentPorts.Client.ToString(CultureInfo.InvariantCulture)}/v1/keys/{Uri.EscapeDataString(key)}/events"), content, cancellationToken);
        return response.StatusCode == HttpStatusCode.OK;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _cluster.DisposeAsync();
    }

    private async Task WaitForRingAsync(CancellationToken cancellationToken)
    {
        using var agents = new AgentApiClient();
        var deadline = DateTime.UtcNow + Patience;
        while (await RingAgreement.CheckAsync(_cluster.Node, agents, Namespace, Members, null, cancellationToken) is null
            || await ReadAssignmentAsync(cancellationToken) is not { } assignment
            || assignment.Members.Count != Members.Count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The three agents did not agree on a ring within {Patience.TotalSeconds:0} s; logs in {_cluster.Node.RunDirectory}.");
            }

            await Task.Delay(200, cancellationToken);
        }

        _assignment = (await ReadAssignmentAsync(cancellationToken))!;
        _addresses = Members.ToDictionary(m => m, m => _cluster.Node.Process(Namespace, m)!.Address, StringComparer.Ordinal);
    }

    private async Task<Assignment?> ReadAssignmentAsync(CancellationToken cancellationToken)
    {
        var map = await _cluster.Admin.GetAsync(KubeResources.ConfigMaps, Namespace, ObjectNames.AssignmentConfigMap(Name), cancellationToken);
        return map?.Data?.TryGetValue(AssignmentConfigMapKeys.Assignment, out var text) == true ? AssignmentCodec.TryDecode(text, out _) : null;
    }
}
