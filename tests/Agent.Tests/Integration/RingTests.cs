using System.Diagnostics;
using System.Net;
using System.Text.Json;
using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.Ring;
using DataCluster.Testing;
using DataCluster.LocalCluster.ControlPlane;
using Xunit;

namespace DataCluster.Agent.Tests.Integration;

/// <summary>Agents share the machine's two cores with the API server: run these one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AgentsCollection : ICollectionFixture<ControlPlaneFixture>
{
    public const string Name = "Agents against a real API server";
}

/// <summary>
/// Three in-process agents against a real kube-apiserver, acting as the cluster's agent
/// ServiceAccount under the operator's Role, with no operator running.
/// </summary>
[Collection(AgentsCollection.Name)]
public sealed class RingTests(ControlPlaneFixture fixture)
{
    // Only catches hangs: failover takes about the lease duration (6 s) plus a little.
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ITestOutputHelper? Output => TestContext.Current.TestOutputHelper;

    private static long Epoch(AgentApp agent) => agent.Node.Context.Assignments.Current?.Assignment.Epoch ?? 0;

    private static bool Agree(IEnumerable<AgentApp> agents, Func<Assignment, bool> condition)
    {
        var epochs = agents.Select(a => a.Node.Context.Assignments.Current?.Assignment).ToList();
        return epochs.All(a => a is not null && condition(a)) && epochs.Select(a => a!.Epoch).Distinct().Count() == 1;
    }

    private async Task<List<AgentApp>> FormAsync(TestCluster cluster, int members)
    {
        var agents = new List<AgentApp>();
        for (var i = 0; i < members; i++)
        {
            agents.Add(await cluster.StartAgentAsync(i));
        }

        await Eventually.UntilAsync(
            () => agents.Count(a => a.Node.Context.Leadership.IsLeader) == 1
                && agents.Select(a => a.Node.Context.Leadership.CurrentLeader).Distinct().Count() == 1
                && Agree(agents, a => a.Members.Count == members),
            Hang,
            $"one leader known to all and the same assignment of {members} members at every agent");
        return agents;
    }

    [Fact]
    public async Task Three_agents_form_a_ring_with_one_leader_and_agree_on_the_owners_of_a_thousand_keys()
    {
        fixture.RequireControlPlane();
        await using var cluster = await TestCluster.CreateAsync(fixture, members: 3);
        var agents = await FormAsync(cluster, 3);

        var leader = agents.Single(a => a.Node.Context.Leadership.IsLeader);
        var epoch = Epoch(leader);
        Assert.All(agents, a => Assert.Equal(leader.Node.Context.Options.PodName, a.Node.Context.Leadership.CurrentLeader));
        var map = await cluster.Admin.GetAsync(KubeResources.ConfigMaps, cluster.Namespace, ObjectNames.AssignmentConfigMap(TestCluster.Name), Ct);
        Assert.Equal(leader.Node.Context.Options.PodName, map!.Data![AssignmentConfigMapKeys.PublishedBy]);
        Assert.Equal(epoch.ToString(System.Globalization.CultureInfo.InvariantCulture), map.Data[AssignmentConfigMapKeys.Epoch]);

        using var http = new HttpClient();
        for (var k = 0; k < 1000; k++)
        {
            var key = $"server-{k}";
            string? first = null;
            foreach (var agent in agents)
            {
                var body = await http.GetStringAsync(new Uri(agent.Address!, $"/v1/owners/{key}"), Ct);
                using var json = JsonDocument.Parse(body);
                Assert.Equal(epoch, json.RootElement.GetProperty("epoch").GetInt64());
                var owners = json.RootElement.GetProperty("leader").GetProperty("id").GetString() + " " +
                    string.Join(",", json.RootElement.GetProperty("replicas").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
                first ??= owners;
                Assert.Equal(first, owners);
            }
        }

        foreach (var agent in agents)
        {
            var ready = await http.GetAsync(new Uri(agent.Address!, "/readyz"), Ct);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        // RBAC is real: the agents' identity cannot read what the Role does not grant.
        using var asAgent = new KubeClient(cluster.AgentConfig);
        await Assert.ThrowsAsync<ForbiddenException>(() => asAgent.ListAsync(KubeResources.ConfigMaps, cluster.Namespace, cancellationToken: Ct));
        await Assert.ThrowsAsync<ForbiddenException>(() => asAgent.CreateAsync(KubeResources.Leases,
            new Lease { Metadata = new ObjectMeta { Name = "dc-member-9", Namespace = cluster.Namespace } }, Ct));

        // Load: each member's Lease sees one update per renew interval (2 s).
        var window = Stopwatch.StartNew();
        var before = MemberLeaseUpdates(cluster.Namespace);
        await Task.Delay(TimeSpan.FromSeconds(10), Ct); // a measurement window, not synchronization
        var after = MemberLeaseUpdates(cluster.Namespace);
        var seconds = window.Elapsed.TotalSeconds;
        for (var i = 0; i < 3; i++)
        {
            var name = ObjectNames.MemberLease(TestCluster.Name, i);
            var writes = after.GetValueOrDefault(name) - before.GetValueOrDefault(name);
            Output?.WriteLine($"measured: {name} {writes} updates in {seconds:0.0} s ({writes / seconds:0.00}/s)");
            Assert.InRange(writes, 1, (int)(seconds / 2) + 2);
        }

        Assert.Equal(epoch, Epoch(leader)); // nothing changed, nothing was published
    }

    [Fact]
    public async Task A_killed_cluster_leader_is_replaced_and_its_partitions_move_in_a_new_epoch()
    {
        fixture.RequireControlPlane();
        await using var cluster = await TestCluster.CreateAsync(fixture, members: 3);
        var agents = await FormAsync(cluster, 3);
        var leader = agents.Single(a => a.Node.Context.Leadership.IsLeader);
        var dead = leader.Node.Context.Options.PodName;
        var epoch = Epoch(leader);
        var survivors = agents.Where(a => a != leader).ToList();

        var clock = Stopwatch.StartNew();
        await TestCluster.KillAsync(leader);

        await Eventually.UntilAsync(() => survivors.Count(a => a.Node.Context.Leadership.IsLeader) == 1, Hang, "another agent leads");
        var leaderAfter = clock.Elapsed;
        await Eventually.UntilAsync(() => Agree(survivors, a => a.Epoch > epoch && !a.Members.Contains(dead)), Hang, "the survivors agree on an assignment without the dead leader");
        var movedAfter = clock.Elapsed;
        Output?.WriteLine($"measured: new cluster leader after {leaderAfter.TotalSeconds:0.0} s, partitions moved after {movedAfter.TotalSeconds:0.0} s");

        var assignment = survivors[0].Node.Context.Assignments.Current!.Assignment;
        var newLeader = survivors.Single(a => a.Node.Context.Leadership.IsLeader).Node.Context.Options.PodName;
        Assert.Equal(newLeader, survivors[0].Node.Context.Assignments.Current!.PublishedBy);
        Assert.All(Enumerable.Range(0, TestCluster.Partitions), p => Assert.NotNull(assignment.LeaderOf(p)));
        var lease = await cluster.Admin.GetAsync(KubeResources.Leases, cluster.Namespace, ObjectNames.LeaderLease(TestCluster.Name), Ct);
        Assert.Equal(newLeader, lease!.Spec.HolderIdentity);
        Assert.True(lease.Spec.LeaseTransitions >= 2, "the leader Lease changed hands");
    }

    [Fact]
    public async Task A_member_whose_Lease_expires_loses_its_partitions_to_the_others_in_a_new_epoch()
    {
        fixture.RequireControlPlane();
        await using var cluster = await TestCluster.CreateAsync(fixture, members: 3);
        var agents = await FormAsync(cluster, 3);
        var victim = agents.First(a => !a.Node.Context.Leadership.IsLeader);
        var dead = victim.Node.Context.Options.PodName;
        var before = agents[0].Node.Context.Assignments.Current!.Assignment;
        var survivors = agents.Where(a => a != victim).ToList();

        var clock = Stopwatch.StartNew();
        await TestCluster.KillAsync(victim);
        await Eventually.UntilAsync(() => Agree(survivors, a => a.Epoch > before.Epoch && !a.Members.Contains(dead)), Hang, "the survivors agree on an assignment without the dead member");
        Output?.WriteLine($"measured: partitions of the killed member moved after {clock.Elapsed.TotalSeconds:0.0} s");

        var after = survivors[0].Node.Context.Assignments.Current!.Assignment;
        Assert.Equal(before.Epoch + 1, after.Epoch);
        for (var p = 0; p < TestCluster.Partitions; p++)
        {
            Assert.DoesNotContain(dead, after.ReplicasOf(p).ToArray());
            Assert.Equal(2, after.ReplicasOf(p).Length);
            // What survived stays where it was.
            Assert.All(before.ReplicasOf(p).ToArray().Where(id => id != dead), id => Assert.Contains(id, after.ReplicasOf(p).ToArray()));
        }
    }

    [Fact]
    public async Task A_gracefully_stopped_leader_hands_over_at_once_without_waiting_for_expiry()
    {
        fixture.RequireControlPlane();
        await using var cluster = await TestCluster.CreateAsync(fixture, members: 3);
        var agents = await FormAsync(cluster, 3);
        var leader = agents.Single(a => a.Node.Context.Leadership.IsLeader);
        var survivors = agents.Where(a => a != leader).ToList();

        var clock = Stopwatch.StartNew();
        await leader.Web.StopAsync(Ct);
        var lease = await cluster.Admin.GetAsync(KubeResources.Leases, cluster.Namespace, ObjectNames.LeaderLease(TestCluster.Name), Ct);
        Assert.NotEqual(leader.Node.Context.Options.PodName, lease!.Spec.HolderIdentity);
        await Eventually.UntilAsync(() => survivors.Count(a => a.Node.Context.Leadership.IsLeader) == 1, Hang, "another agent leads");
        Output?.WriteLine($"measured: graceful handover of cluster leadership after {clock.Elapsed.TotalSeconds:0.0} s");

        // The stopped agent left its member Lease to expire; the new leader then moves its partitions.
        var dead = leader.Node.Context.Options.PodName;
        await Eventually.UntilAsync(() => Agree(survivors, a => !a.Members.Contains(dead)), Hang, "the stopped member's partitions move");
    }

    private Dictionary<string, int> MemberLeaseUpdates(string @namespace) =>
        AuditLog.Read(fixture.Plane.AuditLogPath)
            .Where(e => e.Namespace == @namespace && e.Resource == "leases" && e.Verb == "update" && e.Name.StartsWith("dc-member-", StringComparison.Ordinal))
            .GroupBy(e => e.Name)
            .ToDictionary(g => g.Key, g => g.Count());
}
