using System.Diagnostics;
using DataCluster.Client;
using DataCluster.Contracts;
using DataCluster.E2E.Tests.Support;
using DataCluster.LocalCluster;
using DataCluster.Samples.EntityAffinity;
using DataCluster.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace DataCluster.E2E.Tests;

/// <summary>
/// The client library and the EntityAffinity sample against real agents: every server ends UP and
/// every key holds exactly the events that were acknowledged, in that order, also when the sample
/// starts right after a partition leader was killed (the client retries through the failover), and
/// in every run while a scale-down from 5 to 3 members moves leaderships by handoff.
/// </summary>
public sealed class ClientSampleTests(E2EFixture fixture)
{
    private const int Partitions = 16;

    /// <summary>Enough servers that every partition holds several, and every member leads some.</summary>
    private const int Servers = 48;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_entity_affinity_sample_ends_every_server_UP_with_its_events_in_acknowledged_order_across_a_leader_kill()
    {
        await using var dc = await TestCluster.CreateAsync(fixture, "client", 3, spec: s => s.Partitions = Partitions);
        var members = dc.Members(3);
        await dc.AgreedRingAsync(members);
        var owners = await dc.OwnersAsync(members[0], "server-000");
        var victim = owners.Leader!.Id;
        var through = members.First(m => m != victim);

        await using var provider = Provider(dc, through);
        var client = provider.GetRequiredService<IDataClusterClient>();

        var clock = Stopwatch.StartNew();
        var first = await ServerStates.RunAsync(client, Servers, TextWriter.Null, Ct);
        var firstRun = clock.Elapsed;
        AssertAllUpInOrder(first);

        // Kill server-000's partition leader and run again at once: writes of its partitions meet
        // a dead address, then no leader, until the survivors take over.
        await dc.Cluster.Node.CrashAsync(dc.Namespace, victim);
        clock.Restart();
        var output = new StringWriter();
        var second = await ServerStates.RunAsync(client, Servers, output, Ct);
        var secondRun = clock.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine(output.ToString());
        AssertAllUpInOrder(second);
        Report.Line($"EntityAffinity sample, {Servers} servers x DOWN+UP at QUORUM through {through}: {firstRun.TotalSeconds:0.0} s; again right after SIGKILL of {victim} (leader of partition {owners.Partition}): {secondRun.TotalSeconds:0.0} s");

        // Checked apart from the client: each key's committed events, read from its partition's
        // leader, are exactly the acknowledged ones of both runs, in that order, each stored once.
        using var events = new AgentEventsClient();
        await dc.AgreedRingAsync(members, null, $"{victim} restarts and rejoins");
        foreach (var (before, after) in first.Servers.Zip(second.Servers))
        {
            var acknowledged = before.Acknowledged.Concat(after.Acknowledged).ToList();
            var page = await Eventually.UntilAsync(
                async () =>
                {
                    var leader = (await dc.OwnersAsync(members[0], before.Server)).Leader;
                    var read = leader is null ? null : await events.ReadKeyAsync(dc.AddressOf(leader.Id), before.Server, Ct);
                    return read is not null && read.Events.Count >= acknowledged.Count ? read : null;
                },
                TestCluster.Patience,
                $"{before.Server}'s four events are read back",
                dc.Diagnostics);
            Assert.Equal(acknowledged, page.Events.Select(e => e.Offset));
            Assert.Equal(["DOWN", "UP", "DOWN", "UP"], page.Events.Select(e => System.Text.Encoding.UTF8.GetString(e.Body)));
        }
    }

    [Fact]
    public async Task The_entity_affinity_sample_ends_every_server_UP_in_acknowledged_order_in_every_run_across_a_scale_down_from_5_to_3()
    {
        await using var dc = await TestCluster.CreateAsync(fixture, "clientscale", 5, spec: s => s.Partitions = Partitions);
        var five = dc.Members(5);
        var three = dc.Members(3);
        await dc.AgreedRingAsync(five);

        // Through member 0, which stays: the drained members' addresses go away mid-run.
        await using var provider = Provider(dc, three[0]);
        var client = provider.GetRequiredService<IDataClusterClient>();
        AssertAllUpInOrder(await ServerStates.RunAsync(client, Servers, TextWriter.Null, Ct));
        await ReplicasCaughtUpAsync(dc);

        // The sample runs again and again while the operator drains members 3 and 4, their
        // leaderships move by handoff and the StatefulSet shrinks; every run must end all UP.
        await dc.ScaleAsync(3);
        var runs = new List<TimeSpan>();
        var shrunk = false;
        var clock = Stopwatch.StartNew();
        while (!shrunk)
        {
            shrunk = (await dc.Cluster.Admin.ListAsync(Kube.KubeResources.Pods, dc.Namespace, null, Ct)).Items.Count == 3
                && await dc.AgreementAsync(three) is not null;
            var started = clock.Elapsed;
            var output = new StringWriter();
            ServerStatesReport report;
            try
            {
                report = await ServerStates.RunAsync(client, Servers, output, Ct);
            }
            catch (DataClusterUnavailableException e)
            {
                throw new Xunit.Sdk.XunitException($"run {runs.Count + 1} failed at {clock.Elapsed.TotalSeconds:0.0} s of the scale-down: {e.Message}\nagent logs kept in {AgentLogs.Keep(dc)}\n{dc.Diagnostics()}");
            }

            runs.Add(clock.Elapsed - started);
            if (!report.AllUpInOrder)
            {
                TestContext.Current.TestOutputHelper?.WriteLine(output.ToString());
            }

            AssertAllUpInOrder(report);
            Assert.True(clock.Elapsed < TestCluster.Patience, $"the cluster did not shrink to 3 within {TestCluster.Patience.TotalSeconds} s\n{dc.Diagnostics()}");
        }

        Report.Line(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"EntityAffinity sample, {Servers} servers x DOWN+UP at QUORUM, run {runs.Count} times during scale 5 -> 3 (the last after it): every run all UP in acknowledged order; runs took {string.Join(", ", runs.Select(r => r.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))} s"));
        Assert.True(runs.Count >= 2, "the scale-down finished before a run could overlap it");
    }

    /// <summary>Waits until every replica of every partition serves the same commit point: the members that joined hold full copies.</summary>
    private static async Task ReplicasCaughtUpAsync(TestCluster dc)
    {
        using var events = new AgentEventsClient();
        await Eventually.UntilAsync(
            async () =>
            {
                var assignment = await dc.AssignmentAsync();
                for (var p = 0; assignment is not null && p < assignment.Partitions; p++)
                {
                    var pages = await Task.WhenAll(assignment.ReplicasOf(p).ToArray().Select(r => events.ReadAllAsync(dc.AddressOf(r), p, Ct)));
                    if (pages.Any(page => page is null) || pages.Select(page => page!.CommitOffset).Distinct().Count() > 1)
                    {
                        return false;
                    }
                }

                return assignment is not null;
            },
            TestCluster.Patience,
            "every replica of every partition serves the same commit point",
            dc.Diagnostics);
    }

    private static ServiceProvider Provider(TestCluster dc, string through) =>
        new ServiceCollection()
            .AddLogging()
            .AddDataClusterClient(o =>
            {
                o.BaseAddress = new Uri($"http://{dc.AddressOf(through)}:{AgentPorts.Client}");
                // Generous: a failover takes about the lease duration (6 s) plus a sync; two busy
                // cores can stretch it, and this only bounds a client that would never give up.
                o.WriteTimeout = TimeSpan.FromSeconds(90);
            })
            .BuildServiceProvider();

    private static void AssertAllUpInOrder(ServerStatesReport report)
    {
        Assert.Equal(Servers, report.Servers.Count);
        Assert.All(report.Servers, s =>
        {
            Assert.Equal(ServerStates.Up, s.FinalState);
            Assert.True(s.InAcknowledgedOrder, $"{s.Server}: acknowledged at {string.Join(",", s.Acknowledged)}, read {string.Join(",", s.Read)}");
        });
    }
}
