using System.Text;
using System.Text.Json.Nodes;
using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Ring;
using DataCluster.Testing;
using DataCluster.LocalCluster;
using DataCluster.LocalCluster.LocalNode;
using Xunit;

namespace DataCluster.E2E.Tests.Support;

/// <summary>
/// One DataCluster in its own namespace, and the ways a test observes and disturbs it. Disposing
/// deletes the namespace, so the next test's measurements do not include this one's agents.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    /// <summary>
    /// A ring forms or changes within seconds (lease 6 s, renew 2 s, pods start in about one);
    /// two busy cores can stretch that a lot, and this only catches hangs.
    /// </summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private TestCluster(E2EFixture fixture, string ns, string name)
    {
        Fixture = fixture;
        Namespace = ns;
        Name = name;
    }

    public E2EFixture Fixture { get; }

    public string Namespace { get; }

    public string Name { get; }

    public Cluster Cluster => Fixture.Cluster;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The member ids of ordinals 0..count-1.</summary>
    public IReadOnlyList<string> Members(int count) => [.. Enumerable.Range(0, count).Select(i => ObjectNames.Pod(Name, i))];

    /// <summary>Creates a namespace and a DataCluster with all defaults but the replicas.</summary>
    /// <param name="spec">Changes to the spec beyond the replicas (partitions, commit level).</param>
    public static async Task<TestCluster> CreateAsync(E2EFixture fixture, string prefix, int replicas, string name = "dc", Action<DataClusterSpec>? spec = null)
    {
        var ns = await fixture.Cluster.Plane.CreateNamespaceAsync(prefix, Ct);
        var cluster = new TestCluster(fixture, ns, name);
        var desired = new DataClusterSpec { Replicas = replicas };
        spec?.Invoke(desired);
        await fixture.Cluster.Admin.CreateAsync(DataClusterResource.Type, new Operator.Api.DataCluster
        {
            Metadata = new ObjectMeta { Name = name, Namespace = ns },
            Spec = desired,
        }, Ct);
        return cluster;
    }

    /// <summary>The pod addresses of the members whose agent process runs now.</summary>
    public IReadOnlyList<string> RunningAddresses() =>
        [.. Cluster.Node.Processes(Namespace).Where(p => p.Running).Select(p => p.Address).Distinct()];

    /// <summary>The owners of <paramref name="key"/> as <paramref name="member"/> serves them.</summary>
    public async Task<AgentOwners> OwnersAsync(string member, string key) =>
        await Eventually.UntilAsync(() => Fixture.Agents.OwnersAsync(AddressOf(member), key, Ct), Patience, $"{member} names the owners of {key}", Diagnostics);

    public Task ScaleAsync(int replicas) =>
        Cluster.Admin.MergePatchAsync(DataClusterResource.Type, Namespace, Name, new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas } }, Ct);

    /// <summary>The pod address of a member, from the local node.</summary>
    public string AddressOf(string member) =>
        Cluster.Node.Process(Namespace, member)?.Address ?? throw new InvalidOperationException($"The local node runs no pod {Namespace}/{member}.\n{Diagnostics()}");

    public LocalProcessInfo ProcessOf(string member) =>
        Cluster.Node.Process(Namespace, member) ?? throw new InvalidOperationException($"The local node runs no pod {Namespace}/{member}.\n{Diagnostics()}");

    /// <summary>The published assignment (the leader agent's ConfigMap), or null before the first.</summary>
    public async Task<Assignment?> AssignmentAsync()
    {
        var map = await Cluster.Admin.GetAsync(KubeResources.ConfigMaps, Namespace, ObjectNames.AssignmentConfigMap(Name), Ct);
        return map?.Data?.TryGetValue(AssignmentConfigMapKeys.Assignment, out var text) == true ? AssignmentCodec.TryDecode(text, out _) : null;
    }

    /// <summary>Waits until the DataCluster's status counts <paramref name="members"/> ready members.</summary>
    public Task ReadyAsync(int members) =>
        Eventually.UntilAsync(
            async () => (await Cluster.Admin.GetAsync(DataClusterResource.Type, Namespace, Name, Ct))?.Status?.ReadyMembers == members,
            Patience,
            $"DataCluster {Name} reports {members} ready members",
            Diagnostics);

    public async Task<int?> StatefulSetReplicasAsync() =>
        (await Cluster.Admin.GetAsync(KubeResources.StatefulSets, Namespace, ObjectNames.StatefulSet(Name), Ct))?.Spec.Replicas;

    /// <summary>
    /// Waits until every agent of <paramref name="members"/> serves the same epoch, in which
    /// exactly those members are active and hold replicas, and <paramref name="also"/> holds.
    /// Returns the rings they served.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, AgentRing>> AgreedRingAsync(IReadOnlyCollection<string> members, Func<AgentRing, bool>? also = null, string? what = null)
    {
        return await Eventually.UntilAsync(
            () => AgreementAsync(members, also),
            Patience,
            what ?? $"agents {string.Join(", ", members)} serve one ring of exactly those members",
            Diagnostics);
    }

    /// <summary>The rings of <paramref name="members"/> when they agree as <see cref="AgreedRingAsync"/> requires, else null.</summary>
    public Task<IReadOnlyDictionary<string, AgentRing>?> AgreementAsync(IReadOnlyCollection<string> members, Func<AgentRing, bool>? also = null) =>
        RingAgreement.CheckAsync(Cluster.Node, Fixture.Agents, Namespace, members, also, Ct);

    public async ValueTask DisposeAsync() =>
        await Cluster.Admin.DeleteIfExistsAsync(KubeResources.Namespaces, null, Namespace, cancellationToken: CancellationToken.None);

    /// <summary>What helps when a wait fails: the pods, the operator's and the agents' last log lines.</summary>
    public string Diagnostics()
    {
        var text = new StringBuilder();
        try
        {
            var pods = Cluster.Admin.ListAsync(KubeResources.Pods, Namespace, null, CancellationToken.None).GetAwaiter().GetResult().Items;
            text.AppendLine("pods:");
            foreach (var pod in pods)
            {
                var ready = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status ?? "?";
                text.AppendLine($"  {pod.Metadata.Name} node={pod.Spec.NodeName} ip={pod.Status?.PodIp} phase={pod.Status?.Phase} ready={ready} deleting={pod.Metadata.DeletionTimestamp is not null}");
            }
        }
        catch (Exception e) when (e is Kube.Errors.KubeApiException or HttpRequestException)
        {
            text.AppendLine($"(pods unreadable: {e.Message})");
        }

        text.AppendLine("operator log:").AppendLine(Cluster.Tail(Cluster.OperatorLog, 25));
        foreach (var process in Cluster.Node.Processes(Namespace))
        {
            text.AppendLine($"{process.Pod} log ({process.LogFile}):").AppendLine(Cluster.Tail(process.LogFile, 15));
        }

        return text.ToString();
    }
}
