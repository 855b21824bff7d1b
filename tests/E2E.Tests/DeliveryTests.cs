using DataCluster.Contracts;
using DataCluster.E2E.Tests.Support;
using DataCluster.Kube;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.E2E.Tests;

/// <summary>
/// Push delivery with real agents, each delivering to its own member's app (<see cref="DeliveryApps"/>):
/// every acknowledged event reaches an app, each partition's events arrive in offset order, and a
/// new leader repeats only a tail its own copy of the consumed offset did not yet cover
/// (<see cref="DeliveryCheck"/>), across a SIGKILL of a partition leader and across a scale-down
/// whose leaderships move by handoff; what arrives twice is counted.
/// </summary>
public sealed class DeliveryTests(E2EFixture fixture)
{
    private const int Partitions = 8;

    /// <summary>Generous: failover is a few seconds; this only catches delivery that never resumes.</summary>
    private static readonly TimeSpan DeliveryBound = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_acknowledged_event_reaches_the_app_in_offset_order_across_a_SIGKILL_of_a_partition_leader()
    {
        using var apps = DeliveryApps.Start();
        await using var dc = await TestCluster.CreateAsync(fixture, "dl", 3, spec: s =>
        {
            s.Partitions = Partitions;
            s.Agent.AppDeliveryUrl = apps.Url;
        });
        var members = dc.Members(3);
        await dc.AgreedRingAsync(members);
        await using var sampler = ConsumedOffsetSampler.Start(dc, Partitions);
        await using var writers = Writers.Start(dc, writers: 2, keysPerWriter: 8, CommitLevels.Quorum);
        await writers.WaitForAcknowledgementsAsync("the writers' first writes are acknowledged");

        var owners = await dc.OwnersAsync(members[0], "key-0-0");
        var leader = owners.Leader!.Id;
        await dc.Cluster.Node.CrashAsync(dc.Namespace, leader);
        Report.Line($"SIGKILLed {leader}, leader of partition {owners.Partition}");
        await dc.AgreedRingAsync(members, null, $"{leader} restarts on its own log and rejoins");
        await writers.WaitForAcknowledgementsAsync("writes are acknowledged after the leader's restart");
        await writers.StopAsync();

        var acknowledged = writers.Checker.Attempts.Where(a => a.Acknowledged).Select(a => (a.Partition, a.Offset)).ToHashSet();
        await AllReceivedAsync(apps, acknowledged);
        await sampler.StopAsync();

        // The killed member's copy of the consumed offset is lowered to what it can vouch for when
        // it restarts, so samples of it from before the kill are no floor for what it leads after.
        var samples = sampler.Samples.ToList();
        var result = DeliveryCheck.Check(acknowledged, apps.Batches, samples.Where(s => s.Member != leader));
        Report.Line($"delivery across a leader kill: {result}");
        ReportRepeatingMoves(DeliveryCheck.Check(acknowledged, apps.Batches, samples), m => m.Member == leader ? "the restarted member" : "a survivor");
        AssertDelivered(result);
    }

    [Fact]
    public async Task Every_acknowledged_event_reaches_an_app_in_offset_order_across_a_scale_down_from_5_to_3()
    {
        using var apps = DeliveryApps.Start();
        await using var dc = await TestCluster.CreateAsync(fixture, "dlscale", 5, spec: s =>
        {
            s.Partitions = Partitions;
            s.Agent.AppDeliveryUrl = apps.Url;
        });
        var five = dc.Members(5);
        var three = dc.Members(3);
        await dc.AgreedRingAsync(five);
        await using var sampler = ConsumedOffsetSampler.Start(dc, Partitions);
        await using var writers = RetryingWriters.Start(dc, writers: 4, keysPerWriter: 8, CommitLevels.Quorum);
        await writers.WaitForAcknowledgementsAsync("the writers' first writes are acknowledged");
        await Eventually.UntilAsync(() => five.All(m => apps.Batches.Any(b => b.App == m)), TestCluster.Patience,
            "every member's app received a batch (every member leads a partition)", dc.Diagnostics);

        var before = await dc.AssignmentAsync();
        await dc.ScaleAsync(3);
        await Eventually.UntilAsync(
            async () =>
            {
                // A pod being deleted stops its app container as it stops its agent.
                var pods = (await dc.Cluster.Admin.ListAsync(KubeResources.Pods, dc.Namespace, null, Ct)).Items;
                foreach (var pod in pods.Where(p => p.Metadata.DeletionTimestamp is not null))
                {
                    apps.Stop(pod.Metadata.Name!);
                }

                return pods.Count == 3 && await dc.AgreementAsync(three) is not null;
            },
            TestCluster.Patience,
            "the cluster shrinks to 3 and the agents agree on the ring",
            dc.Diagnostics);
        foreach (var gone in five.Skip(3))
        {
            apps.Stop(gone);
        }

        await writers.WaitForAcknowledgementsAsync("writes are acknowledged after the scale-down");
        await writers.StopAsync();

        var acknowledged = writers.Checker.Attempts.Where(a => a.Acknowledged).Select(a => (a.Partition, a.Offset)).ToHashSet();
        await AllReceivedAsync(apps, acknowledged);
        await sampler.StopAsync();

        var result = DeliveryCheck.Check(acknowledged, apps.Batches, sampler.Samples);
        var drained = apps.Batches.Where(b => five.Skip(3).Contains(b.App)).Sum(b => b.Offsets.Length);
        Report.Line($"delivery across scale 5 -> 3 ({writers.Writes.Count(w => !w.Acknowledged)} writes failed): {result}; drained members' apps took {drained} events, stopped apps refused {apps.Refused} batches; {sampler.Samples.Count} consumed-offset samples");
        ReportRepeatingMoves(result, m => before is not null && before.ReplicasOf(m.Partition).Contains(m.Member) ? "a replica before the scale-down" : "not a replica before the scale-down");

        AssertDelivered(result);
        Assert.True(drained > 0, "the drained members delivered nothing before they left, so no delivery moved");
        Assert.Contains(result.Moves, m => five.Take(3).Contains(m.Member));
    }

    /// <summary>One report line per move that repeated events, with what the sampled copies of the consumed offset knew then.</summary>
    private static void ReportRepeatingMoves(DeliveryCheckResult result, Func<DeliveryStretch, string> who)
    {
        foreach (var move in result.Moves.Where(m => m.Repeated > 0))
        {
            Report.Line($"  repeating move {move}; {move.Member} was {who(move)}");
        }
    }

    private static async Task AllReceivedAsync(DeliveryApps apps, HashSet<(int Partition, long Offset)> acknowledged) =>
        await Eventually.UntilAsync(() => acknowledged.All(apps.Received.ContainsKey), DeliveryBound,
            "the apps received every acknowledged event",
            () => $"missing: {string.Join(", ", acknowledged.Where(a => !apps.Received.ContainsKey(a)).Take(20))}; batches: {apps.Batches.Count}");

    private static void AssertDelivered(DeliveryCheckResult result)
    {
        Assert.True(result.Acknowledged > 0, "no write was acknowledged");
        Assert.Empty(result.Missing);
        Assert.True(result.OutOfOrder.Count == 0, string.Join("\n", result.OutOfOrder.Take(20)));
        Assert.True(result.BelowFloor.Count == 0, "a new leader delivered from below a consumed offset its own copy had: " + string.Join("; ", result.BelowFloor.Take(10)));
        Assert.All(result.Stretches, s => Assert.True(s.Repeated <= s.UnconsumedTail, $"{s} repeated more than the unconsumed tail"));
    }
}
