using System.Globalization;
using System.Text.Json.Nodes;
using DataCluster.Contracts;
using DataCluster.E2E.Tests.Support;
using DataCluster.Kube;
using DataCluster.Operator.Api;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.E2E.Tests;

/// <summary>
/// Planned moves under a retrying writer at QUORUM: a rolling update of every member (the agent
/// image's tag changes; the kubelet stand-in sends SIGTERM and the agent hands its leaderships
/// off before it exits) and a scale-down. No write may fail or be lost; the longest time a write
/// waited for its acknowledgement, per partition, is reported.
/// </summary>
public sealed class HandoffTests(E2EFixture fixture)
{
    private const int Partitions = 16;

    /// <summary>The planned-handoff target: a write that waited longer has its attempts and the agents' logs kept.</summary>
    private static readonly TimeSpan SlowWrite = TimeSpan.FromSeconds(1);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_rolling_update_of_every_member_fails_and_loses_no_quorum_write_of_a_retrying_client()
    {
        await using var dc = await TestCluster.CreateAsync(fixture, "roll", 3, spec: s => s.Partitions = Partitions);
        var members = dc.Members(3);
        await dc.AgreedRingAsync(members);
        var before = await PodUidsAsync(dc);
        await using var writers = RetryingWriters.Start(dc, writers: 4, keysPerWriter: 8, CommitLevels.Quorum);
        await writers.WaitForAcknowledgementsAsync("the writers' first writes are acknowledged");
        var started = writers.Writes.Count;

        await dc.Cluster.Admin.MergePatchAsync(DataClusterResource.Type, dc.Namespace, dc.Name,
            new JsonObject { ["spec"] = new JsonObject { ["agent"] = new JsonObject { ["image"] = E2EFixture.AgentImage + "-next" } } }, Ct);
        await Eventually.UntilAsync(
            async () =>
            {
                var now = await PodUidsAsync(dc);
                return now.Count == 3 && now.All(p => before.GetValueOrDefault(p.Key) is { } old && old != p.Value)
                    && await dc.AgreementAsync(members) is not null;
            },
            TestCluster.Patience,
            "every member pod is replaced and the three agents agree on a ring where every member leads partitions again",
            dc.Diagnostics);
        await writers.WaitForAcknowledgementsAsync("writes are acknowledged after the rolling update");
        await writers.StopAsync();

        await AssertNoFailedOrLostWriteAsync(dc, writers, started, "rolling update of 3 members");
    }

    [Fact]
    public async Task Scaling_5_to_3_fails_and_loses_no_quorum_write_of_a_retrying_client()
    {
        await using var dc = await TestCluster.CreateAsync(fixture, "shrink", 5, spec: s => s.Partitions = Partitions);
        await dc.AgreedRingAsync(dc.Members(5));
        await using var writers = RetryingWriters.Start(dc, writers: 4, keysPerWriter: 8, CommitLevels.Quorum);
        await writers.WaitForAcknowledgementsAsync("the writers' first writes are acknowledged");
        var started = writers.Writes.Count;

        await dc.ScaleAsync(3);
        await Eventually.UntilAsync(
            async () => (await dc.Cluster.Admin.ListAsync(KubeResources.Pods, dc.Namespace, null, Ct)).Items.Count == 3
                && await dc.AgreementAsync(dc.Members(3)) is not null,
            TestCluster.Patience,
            "the cluster shrinks to 3 and the agents agree on a ring where every member leads partitions",
            dc.Diagnostics);
        await writers.WaitForAcknowledgementsAsync("writes are acknowledged after the scale-down");
        await writers.StopAsync();

        await AssertNoFailedOrLostWriteAsync(dc, writers, started, "scale 5 -> 3");
    }

    private static async Task AssertNoFailedOrLostWriteAsync(TestCluster dc, RetryingWriters writers, int startedAt, string what)
    {
        var writes = writers.Writes;
        var failed = writes.Where(w => !w.Acknowledged).ToList();
        var during = writes.Skip(startedAt).ToList();
        var perPartition = during.Where(w => w.Acknowledged)
            .GroupBy(w => w.Partition)
            .Select(g => (Partition: g.Key, Longest: g.Max(w => w.Waited), Retried: g.Count(w => w.Attempts > 1)))
            .OrderByDescending(p => p.Longest)
            .ToList();
        var longest = perPartition.Count > 0 ? perPartition[0].Longest : TimeSpan.Zero;
        var median = during.Where(w => w.Acknowledged).Select(w => w.Waited.TotalMilliseconds).Order().ElementAtOrDefault(during.Count / 2);

        var result = await CommittedLogs.CheckAsync(dc, writers.Checker);
        Report.Line(string.Create(CultureInfo.InvariantCulture,
            $"{what} under {writes.Count} QUORUM writes of a retrying client: {failed.Count} failed; longest wait for an acknowledgement {longest.TotalMilliseconds:0} ms (partition {(perPartition.Count > 0 ? perPartition[0].Partition : -1)}), median write {median:0} ms, {during.Count(w => w.Attempts > 1)} writes retried; per partition (ms, longest first): {string.Join(", ", perPartition.Select(p => $"p{p.Partition}={p.Longest.TotalMilliseconds:0}"))}; {result}"));
        var slow = during.Where(w => w.Waited > SlowWrite).ToList();
        if (slow.Count > 0)
        {
            var kept = AgentLogs.Keep(dc);
            await File.WriteAllTextAsync(Path.Combine(kept, "slow-writes.txt"), string.Concat(slow.Select(w => w.Describe())), Ct);
            Report.Line($"{slow.Count} writes waited over {SlowWrite.TotalSeconds:0} s; their attempts and the agents' logs are in {kept}");
        }

        Assert.True(failed.Count == 0, $"{failed.Count} writes were not acknowledged within {RetryingWriters.GiveUpAfter.TotalSeconds} s, e.g. {failed.FirstOrDefault()}");
        Assert.True(result.Acknowledged > 0, "no write was acknowledged");
        Assert.True(result.Ok, result.ToString());
        Assert.Equal(0, result.Duplicates);
    }

    private static async Task<Dictionary<string, string>> PodUidsAsync(TestCluster dc) =>
        (await dc.Cluster.Admin.ListAsync(KubeResources.Pods, dc.Namespace, null, Ct)).Items
            .Where(p => p.Metadata.DeletionTimestamp is null && dc.Cluster.Node.Process(dc.Namespace, p.Metadata.Name!)?.Running == true)
            .ToDictionary(p => p.Metadata.Name!, p => p.Metadata.Uid ?? "", StringComparer.Ordinal);
}
