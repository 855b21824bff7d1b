using System.Diagnostics;
using DataCluster.E2E.Tests.Support;
using DataCluster.Testing;
using DataCluster.LocalCluster;
using Xunit;

namespace DataCluster.E2E.Tests;

/// <summary>SIGKILL of agents: the survivors notice through lease expiry alone and re-assign.</summary>
public sealed class FailoverTests(E2EFixture fixture)
{
    /// <summary>Generous: the target is lease duration (6 s) + 1 s; this bound only catches a failover that does not happen.</summary>
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Killing_a_member_moves_its_partitions_to_the_surviving_members()
    {
        await using var dc = await TestCluster.CreateAsync(fixture, "kill", 3);
        var members = dc.Members(3);
        var before = (await dc.AgreedRingAsync(members)).Values.First();
        var victim = members.Last(m => m != before.Leader);
        var survivors = members.Where(m => m != victim).ToList();

        var clock = Stopwatch.StartNew();
        var pid = await dc.Cluster.Node.CrashAsync(dc.Namespace, victim);
        var after = await Eventually.UntilAsync(
            () => dc.AgreementAsync(survivors, r => r.Epoch > before.Epoch),
            FailoverBound,
            $"the survivors serve an epoch after {before.Epoch} in which {victim} holds no replicas",
            dc.Diagnostics);
        var failover = clock.Elapsed;
        var published = await dc.AssignmentAsync();

        Report.Line($"SIGKILL of member {victim} (pid {pid}): every survivor served epoch {after.Values.First().Epoch} without it after {failover.TotalSeconds:0.0} s (lease duration 6 s)");
        Assert.NotNull(published);
        Assert.DoesNotContain(victim, published.Members);
        for (var p = 0; p < published.Partitions; p++)
        {
            Assert.Equal(survivors, published.ReplicasOf(p).ToArray().Order(StringComparer.Ordinal));
        }

        // The pod was not deleted: after the CrashLoopBackOff delay its agent rejoins.
        var rejoined = await dc.AgreedRingAsync(members, r => r.Epoch > after.Values.First().Epoch, $"{victim} restarts and rejoins the ring");
        Assert.Equal(1, dc.ProcessOf(victim).RestartCount);
        Report.Line($"member {victim} restarted after the 10 s backoff and rejoined in epoch {rejoined.Values.First().Epoch}, {clock.Elapsed.TotalSeconds:0.0} s after the kill");
    }

    [Fact]
    public async Task Killing_the_leader_agent_makes_another_agent_lead_and_publish_a_newer_epoch()
    {
        await using var dc = await TestCluster.CreateAsync(fixture, "leader", 3);
        var members = dc.Members(3);
        var before = (await dc.AgreedRingAsync(members)).Values.First();
        // Agreeing on the ring does not mean member 0 has seen the leader Lease yet: wait until it names a leader.
        var leader = await Eventually.UntilAsync(
            async () => (await fixture.Agents.LeaderAsync(dc.AddressOf(members[0]), Ct))?.Leader,
            FailoverBound,
            $"{members[0]} names the leader agent",
            dc.Diagnostics);
        var survivors = members.Where(m => m != leader).ToList();

        var clock = Stopwatch.StartNew();
        await dc.Cluster.Node.CrashAsync(dc.Namespace, leader);
        var newLeader = await Eventually.UntilAsync(
            async () =>
            {
                var seen = await Task.WhenAll(survivors.Select(m => fixture.Agents.LeaderAsync(dc.AddressOf(m), Ct)));
                return seen.All(s => s?.Leader is { } l && l != leader && l == seen[0]!.Leader) ? seen[0]!.Leader : null;
            },
            FailoverBound,
            $"the survivors agree on a leader other than {leader}",
            dc.Diagnostics);
        var leaderTime = clock.Elapsed;
        var after = await Eventually.UntilAsync(
            () => dc.AgreementAsync(survivors, r => r.Epoch > before.Epoch),
            FailoverBound,
            $"the new leader {newLeader} publishes an epoch after {before.Epoch} without {leader}",
            dc.Diagnostics);
        var epochTime = clock.Elapsed;
        var published = await dc.Cluster.Admin.GetAsync(Kube.KubeResources.ConfigMaps, dc.Namespace, Contracts.ObjectNames.AssignmentConfigMap(dc.Name), Ct);

        Report.Line($"SIGKILL of the leader agent {leader}: {newLeader} led after {leaderTime.TotalSeconds:0.0} s and every survivor served its epoch {after.Values.First().Epoch} after {epochTime.TotalSeconds:0.0} s");
        if (leaderTime > TimeSpan.FromSeconds(7))
        {
            // A successor takes the leader Lease 4-6 s after a kill (6 s lease, renewed every 2 s,
            // watched by every candidate), depending on when it was last renewed; a figure past
            // that and the second the test takes to see it is reported with the logs.
            Report.Line($"  over 7 s: agent logs kept in {AgentLogs.Keep(dc)}");
        }

        Assert.Contains(newLeader, survivors);
        Assert.Equal(newLeader, published?.Data?[Contracts.AssignmentConfigMapKeys.PublishedBy]);
        Assert.All(after.Values, r => Assert.Equal(newLeader, r.Leader));
    }
}
