using System.Diagnostics;
using DataCluster.Contracts;
using DataCluster.E2E.Tests.Support;
using DataCluster.LocalCluster;
using DataCluster.Testing;
using DataCluster.Testing.Checking;
using DataCluster.Testing.Telemetry;
using Xunit;

namespace DataCluster.E2E.Tests;

/// <summary>
/// The write path under crashes, restarts and scaling: writers keep writing per-key sequence
/// numbers while members are SIGKILLed, and afterwards every replica's committed copy of every
/// partition is read and checked.
/// </summary>
public sealed class WriteTests(E2EFixture fixture)
{
    /// <summary>Few partitions keep reading every copy quick; the protocol does not care how many there are.</summary>
    private const int Partitions = 16;

    /// <summary>Generous: the target is lease duration (6 s) + 1 s; this bound only catches a failover that does not happen.</summary>
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(60);

    /// <summary>The failover target: the lease duration (6 s by default) and a second.</summary>
    private static readonly TimeSpan FailoverTarget = TimeSpan.FromSeconds(7);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Quorum_writes_survive_leader_and_follower_kills_restarts_and_scaling_3_5_3()
    {
        await using var dc = await TestCluster.CreateAsync(fixture, "wq", 3, spec: s => s.Partitions = Partitions);
        var members = dc.Members(3);
        await dc.AgreedRingAsync(members);
        await using var writers = Writers.Start(dc, writers: 4, keysPerWriter: 8, CommitLevels.Quorum);
        await writers.WaitForAcknowledgementsAsync("the writers' first writes are acknowledged");

        var key = "key-0-0";
        var owners = await dc.OwnersAsync(members[0], key);
        var leader = owners.Leader!.Id;
        await dc.Cluster.Node.CrashAsync(dc.Namespace, leader);
        Report.Line($"SIGKILLed {leader}, leader of partition {owners.Partition}");
        await dc.AgreedRingAsync(members, null, $"{leader} restarts on its own log and rejoins");
        await writers.WaitForAcknowledgementsAsync("writes are acknowledged after the leader's restart");

        owners = await dc.OwnersAsync(members[0], key);
        var follower = owners.Replicas.Select(r => r.Id).First(r => r != owners.Leader?.Id);
        await dc.Cluster.Node.CrashAsync(dc.Namespace, follower);
        Report.Line($"SIGKILLed {follower}, follower of partition {owners.Partition}");
        await dc.AgreedRingAsync(members, null, $"{follower} restarts on its own log and rejoins");
        await writers.WaitForAcknowledgementsAsync("writes are acknowledged after the follower's restart");

        await dc.ScaleAsync(5);
        await dc.AgreedRingAsync(dc.Members(5));
        await writers.WaitForAcknowledgementsAsync("writes are acknowledged with five members");
        await dc.ScaleAsync(3);
        await dc.AgreedRingAsync(members, null, "the ring shrinks back to three members");
        await writers.WaitForAcknowledgementsAsync("writes are acknowledged after scaling back to three");
        await writers.StopAsync();

        var result = await CommittedLogs.CheckAsync(dc, writers.Checker);
        Report.Line($"QUORUM through leader kill, follower kill, 3 -> 5 -> 3: {result}; refusals: {writers.Refusals()}");
        Assert.True(result.Acknowledged > 0, "no write was acknowledged");
        Assert.True(result.Ok, result.ToString());
        Assert.Equal(0, result.Duplicates);

        // Every member leads and follows some partitions: its data-plane metrics are as documented.
        using var http = new HttpClient();
        var scrape = PrometheusText.Parse(await http.GetStringAsync(new Uri($"http://{dc.AddressOf(members[0])}:{AgentPorts.Client}/metrics"), Ct));
        foreach (var documented in DocumentedMetrics.Read(Path.Combine(RepositoryPaths.Root, "agent", "README.md"), "datacluster_agent_")
            .Where(d => d.Name is "datacluster_agent_write_seconds" or "datacluster_agent_writes_total" or "datacluster_agent_replication_lag_records"
                or "datacluster_agent_log_bytes" or "datacluster_agent_partition_role"))
        {
            Assert.True(scrape.TryGetValue(documented.Name, out var family), $"{members[0]}'s /metrics has no {documented.Name}");
            Assert.Equal(documented.Type, family.Type);
            Assert.All(family.Samples, sample => Assert.All(documented.Labels, label => Assert.NotNull(sample.Label(label))));
        }

        // /v1/assignments shows what the data plane does per partition: it leads what it is assigned to lead.
        var assignmentsUri = new Uri($"http://{dc.AddressOf(members[0])}:{AgentPorts.Client}/v1/assignments");
        await Eventually.UntilAsync(async () =>
        {
            using var mine = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(assignmentsUri, Ct));
            var states = mine.RootElement.GetProperty("partitions").EnumerateArray()
                .ToDictionary(p => p.GetProperty("partition").GetInt32(), p => p.GetProperty("state").GetString());
            var leads = mine.RootElement.GetProperty("leads").EnumerateArray().Select(p => p.GetInt32()).ToList();
            var replicas = mine.RootElement.GetProperty("replicas").EnumerateArray().Select(p => p.GetInt32()).ToList();
            return leads.Count > 0 && leads.All(p => states.GetValueOrDefault(p) == "leading")
                && replicas.Except(leads).All(p => states.GetValueOrDefault(p) == "following");
        }, TimeSpan.FromSeconds(30), $"{members[0]}'s /v1/assignments shows it leading what it leads and following the rest");
    }

    [Fact]
    public async Task One_acknowledges_before_replication_so_a_leader_crash_can_lose_writes_and_the_loss_is_counted()
    {
        await using var dc = await TestCluster.CreateAsync(fixture, "wone", 3, spec: s =>
        {
            s.Partitions = Partitions;
            s.Replication.CommitLevel = CommitLevels.One;
        });
        var members = dc.Members(3);
        await dc.AgreedRingAsync(members);
        await using var writers = Writers.Start(dc, writers: 4, keysPerWriter: 8);
        await writers.WaitForAcknowledgementsAsync("the writers' first writes are acknowledged");

        var owners = await dc.OwnersAsync(members[0], "key-0-0");
        await dc.Cluster.Node.CrashAsync(dc.Namespace, owners.Leader!.Id);
        await dc.AgreedRingAsync(members, null, $"{owners.Leader.Id} restarts and rejoins");
        await writers.WaitForAcknowledgementsAsync("writes are acknowledged after the leader's restart");
        await writers.StopAsync();

        var result = await CommittedLogs.CheckAsync(dc, writers.Checker);
        Report.Line($"ONE through a leader kill: {result.Acknowledged} acknowledged, {result.Lost.Count} of them lost and {result.AtWrongOffset.Count} overwritten at their offset (what ONE may lose); {result}");
        Assert.True(result.Acknowledged > 0, "no write was acknowledged");
        // What ONE gives up is durability of the newest acknowledged writes, never agreement:
        // the replicas' committed copies stay identical and each key's surviving writes in order.
        Assert.Empty(result.Diverged);
        Assert.Empty(result.OutOfOrder);
    }

    [Fact]
    public async Task All_refuses_writes_while_a_replica_is_down_and_accepts_them_once_it_is_back()
    {
        // A lease long enough that the ring keeps the killed member through its restart (the
        // local node restarts it after 10 s): ALL then waits for that replica, not for a new
        // replica set without it. Stand-ins off: with them a member outside the set would take
        // the down replica's copy (SubstituteTests); here, with three members, none exists anyway.
        await using var dc = await TestCluster.CreateAsync(fixture, "wall", 3, spec: s =>
        {
            s.Partitions = Partitions;
            s.Agent.LeaseDurationSeconds = 30;
            s.Replication.Substitutes = false;
        });
        var members = dc.Members(3);
        var before = (await dc.AgreedRingAsync(members)).Values.First();
        using var client = new AgentEventsClient();
        const string key = "all-0";
        var owners = await dc.OwnersAsync(members[0], key);
        var leader = owners.Leader!.Id;
        var follower = owners.Replicas.Select(r => r.Id).First(r => r != leader);
        var writeTo = dc.AddressOf(leader);
        await AcknowledgedAsync(dc, client, writeTo, key, "before", CommitLevels.All);

        await dc.Cluster.Node.CrashAsync(dc.Namespace, follower);
        var quorum = await client.WriteAsync(writeTo, key, "quorum while down", CommitLevels.Quorum, cancellationToken: Ct);
        // A leader counts a replica down once it has not heard from it for DownAfterMs (1 s);
        // from then on ALL is refused at once instead of waiting for the write timeout.
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        var all = await client.WriteAsync(writeTo, key, "all while down", CommitLevels.All, cancellationToken: Ct);
        Report.Line($"{follower} (replica of partition {owners.Partition}) SIGKILLed: QUORUM answered {quorum.Status}, ALL answered {all.Status} {all.Reason}");
        Assert.True(quorum.Acknowledged, $"QUORUM with two of three replicas: {quorum.Status} {quorum.Reason}");
        Assert.Equal(503, all.Status);
        Assert.Equal("commit_level_unavailable", all.Reason);

        // The local node restarts it on its own log; it catches up and ALL is met again, in the same epoch.
        var after = await AcknowledgedAsync(dc, client, writeTo, key, "all after", CommitLevels.All);
        Assert.Equal("All", after.Answer!.CommitLevel);
        Assert.Equal(1, dc.ProcessOf(follower).RestartCount);
        Assert.Equal(before.Epoch, (await fixture.Agents.RingAsync(writeTo, Ct))?.Epoch);
    }

    /// <param name="clusterLeader">
    /// Whether the partition's leader is also the cluster leader, the agent that publishes
    /// assignments: then a successor must first take the leader Lease, and the partition can move
    /// only once it has. That is the slower case, and a third of the partitions of a three-member
    /// cluster are in it.
    /// </param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Killing_a_partition_leader_lets_its_partition_acknowledge_writes_again_within_the_lease_duration_and_a_second(bool clusterLeader)
    {
        await using var dc = await TestCluster.CreateAsync(fixture, clusterLeader ? "wfailcl" : "wfail", 3, spec: s => s.Partitions = Partitions);
        var members = dc.Members(3);
        await dc.AgreedRingAsync(members);
        using var client = new AgentEventsClient(TimeSpan.FromSeconds(15));
        var publisher = await Eventually.UntilAsync(
            async () => (await fixture.Agents.LeaderAsync(dc.AddressOf(members[0]), Ct))?.Leader,
            FailoverBound,
            $"{members[0]} names the cluster leader",
            dc.Diagnostics);

        // The first key whose partition the cluster leader leads (or does not lead).
        var key = "";
        AgentOwners? owners = null;
        for (var i = 0; owners?.Leader is null || (owners.Leader.Id == publisher) != clusterLeader; i++)
        {
            Assert.True(i < 1000, $"none of 1000 keys is in a partition that {publisher} {(clusterLeader ? "leads" : "does not lead")}");
            key = $"failover-{i}";
            owners = await dc.OwnersAsync(members[0], key);
        }

        var leader = owners.Leader!.Id;
        var other = dc.AddressOf(members.First(m => m != leader));
        var before = await AcknowledgedAsync(dc, client, other, key, "before", null);

        var clock = Stopwatch.StartNew();
        await dc.Cluster.Node.CrashAsync(dc.Namespace, leader);
        var killed = clock.Elapsed;
        var first = await Eventually.UntilAsync(
            async () => await client.WriteAsync(other, key, "after", cancellationToken: Ct) is { Acknowledged: true } w ? w : null,
            FailoverBound,
            $"partition {owners.Partition} acknowledges a write after its leader {leader} was killed",
            dc.Diagnostics,
            TimeSpan.FromMilliseconds(20));
        var failover = clock.Elapsed - killed;
        Report.Line($"SIGKILL of {leader}, leader of partition {owners.Partition}{(clusterLeader ? " and the cluster leader" : "")}: first acknowledged write {failover.TotalSeconds:0.0} s later, partition epoch {before.Answer!.Epoch} -> {first.Answer!.Epoch} (target: lease 6 s + 1 s)");
        if (failover > FailoverTarget)
        {
            // The figure is reported, not asserted (timings belong in benchmarks); what held it up is
            // in the agents' logs, kept for a look.
            Report.Line($"  over the target: agent logs kept in {AgentLogs.Keep(dc)}");
        }

        Assert.True(first.Answer.Epoch > before.Answer.Epoch, "the write after the kill was acknowledged in a newer partition epoch");
    }

    /// <summary>
    /// Writes until acknowledged: right after a ring forms or changes, a partition's new leader
    /// answers 503 `syncing` until it has brought its log up to date from the replicas.
    /// </summary>
    private static async Task<AgentWrite> AcknowledgedAsync(TestCluster dc, AgentEventsClient client, string address, string key, string body, string? level)
    {
        AgentWrite? last = null;
        return await Eventually.UntilAsync(
            async () => (last = await client.WriteAsync(address, key, body, level, cancellationToken: Ct)) is { Acknowledged: true } w ? w : null,
            FailoverBound,
            $"a write of {key} at {level ?? "the cluster's level"} through {address} is acknowledged",
            () => $"last answer: {last?.Status} {last?.Reason}\n{dc.Diagnostics()}",
            TimeSpan.FromMilliseconds(100));
    }
}
