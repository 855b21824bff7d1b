using System.Runtime.ExceptionServices;
using System.Text;
using DataCluster.Agent.DataPlane;
using DataCluster.Replication;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.Agent.Tests.DataPlane;

/// <summary>
/// The data plane of three members in one process, on real partition logs: writes at every
/// commit level, reads from every replica, a member stopped and started again on its logs.
/// </summary>
public sealed class DataPlaneTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static WriteRequest Write(int partition, string key, string body, CommitLevel level = CommitLevel.Quorum, string? producer = null, long sequence = -1) =>
        new(partition, Encoding.UTF8.GetBytes(key), "text/plain", Encoding.UTF8.GetBytes(body), level, producer, sequence);

    /// <summary>Writes until the partition's leader has synced and acknowledges (the first writes meet a syncing leader).</summary>
    private static async Task<WriteOutcome> WriteAcknowledgedAsync(InProcessCluster cluster, WriteRequest request)
    {
        WriteOutcome? outcome = null;
        await Eventually.UntilAsync(async () =>
        {
            outcome = await cluster[cluster.LeaderOf(request.Partition)].WriteAsync(request, Ct);
            return outcome.Status == WriteStatus.Acknowledged;
        }, TimeSpan.FromSeconds(20), "the write is acknowledged", () => $"last outcome {outcome}");
        return outcome!;
    }

    [Fact]
    public async Task A_quorum_write_is_acknowledged_and_every_replica_holds_it_in_order()
    {
        await using var cluster = new InProcessCluster(3);
        cluster.Assign();

        var offsets = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            offsets.Add((await WriteAcknowledgedAsync(cluster, Write(1, "server-1", $"event-{i}"))).Offset);
        }

        Assert.Equal(offsets.Order(), offsets);
        foreach (var id in cluster.Ids)
        {
            await Eventually.UntilAsync(async () =>
            {
                var read = await cluster[id].ReadAsync(1, -1, 100, null, Ct);
                return read is not null && read.Records.Count == 20;
            }, TimeSpan.FromSeconds(10), $"{id} has committed all 20 events");
            var records = (await cluster[id].ReadAsync(1, -1, 100, null, Ct))!.Records;
            Assert.Equal(Enumerable.Range(0, 20).Select(i => $"event-{i}"), records.Select(r => Encoding.UTF8.GetString(r.Body.Span)));
            Assert.Equal(offsets, records.Select(r => r.Offset));
        }
    }

    [Fact]
    public async Task An_idle_data_plane_waits_for_its_ticks_without_throwing()
    {
        await using var cluster = new InProcessCluster(3);
        cluster.Assign();
        await WriteAcknowledgedAsync(cluster, Write(1, "k", "v"));
        var thrown = 0;
        void Count(object? sender, FirstChanceExceptionEventArgs e)
        {
            // Thrown on the waiting loop's own stack: a timeout by cancellation at every tick.
            if (e.Exception is OperationCanceledException && Environment.StackTrace.Contains(nameof(DataCluster.Agent.DataPlane.DataPlane) + ".WaitForWorkAsync", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref thrown);
            }
        }

        AppDomain.CurrentDomain.FirstChanceException += Count;
        try
        {
            // Fifty ticks a second per member: a second is 150 waits.
            await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }

        Assert.Equal(0, thrown);
        Assert.Equal(WriteStatus.Acknowledged, (await WriteAcknowledgedAsync(cluster, Write(1, "k", "after the idle second"))).Status);
    }

    [Fact]
    public async Task Disposing_a_data_plane_ends_its_loop_and_refuses_what_comes_after_without_throwing()
    {
        await using var cluster = new InProcessCluster(1);
        var plane = cluster["dc-0"];
        await Eventually.UntilAsync(() => Task.FromResult(plane.IsRunning), TimeSpan.FromSeconds(10), "the data plane runs");

        // Not cancelled: disposing alone must end the loop.
        var running = await cluster.DisposePlaneAsync("dc-0");
        var write = await plane.WriteAsync(Write(1, "k", "after the end"), Ct);
        var read = await plane.ReadAsync(1, -1, 10, null, Ct);

        await running.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.False(plane.IsRunning);
        Assert.Equal(WriteStatus.Stopping, write.Status);
        Assert.Null(read);
    }

    [Fact]
    public async Task A_member_that_does_not_lead_the_partition_refuses_and_names_the_leader()
    {
        await using var cluster = new InProcessCluster(3);
        cluster.Assign();
        var leader = cluster.LeaderOf(2);
        var other = cluster.Ids.First(id => id != leader);
        await WriteAcknowledgedAsync(cluster, Write(2, "k", "v"));

        // The other member may still be opening its logs (it answers Stopping until then).
        WriteOutcome? outcome = null;
        await Eventually.UntilAsync(async () => (outcome = await cluster[other].WriteAsync(Write(2, "k", "v"), Ct)).Status != WriteStatus.Stopping,
            TimeSpan.FromSeconds(10), "the other member's data plane runs");

        Assert.Equal(WriteStatus.NotLeader, outcome!.Status);
        Assert.Equal(leader, outcome.Leader);
    }

    [Fact]
    public async Task A_retried_write_with_the_same_producer_sequence_gets_the_original_offset()
    {
        await using var cluster = new InProcessCluster(3);
        cluster.Assign();
        var first = await WriteAcknowledgedAsync(cluster, Write(3, "k", "once", producer: "producer-a", sequence: 0));

        var retry = await cluster[cluster.LeaderOf(3)].WriteAsync(Write(3, "k", "once", producer: "producer-a", sequence: 0), Ct);

        Assert.Equal(WriteStatus.Acknowledged, retry.Status);
        Assert.True(retry.Duplicate);
        Assert.Equal(first.Offset, retry.Offset);
        var read = await cluster[cluster.LeaderOf(3)].ReadAsync(3, -1, 100, null, Ct);
        Assert.Single(read!.Records);
    }

    [Fact]
    public async Task With_a_follower_stopped_quorum_writes_go_on_and_all_writes_are_refused_until_it_returns()
    {
        await using var cluster = new InProcessCluster(3);
        cluster.Assign();
        var leader = cluster.LeaderOf(4);
        await WriteAcknowledgedAsync(cluster, Write(4, "k", "before"));
        var follower = cluster.Assignment.ReplicasOf(4).ToArray().First(id => id != leader);

        await cluster.StopAsync(follower);
        WriteOutcome? all = null;
        await Eventually.UntilAsync(async () =>
        {
            all = await cluster[leader].WriteAsync(Write(4, "k", "all", CommitLevel.All), Ct);
            return all.Status == WriteStatus.CommitLevelCannotBeMet;
        }, TimeSpan.FromSeconds(10), "an ALL write is refused while a replica is down", () => $"last answer {all}");
        var quorum = await cluster[leader].WriteAsync(Write(4, "k", "quorum"), Ct);
        Assert.Equal(WriteStatus.Acknowledged, quorum.Status);

        cluster.Start(follower);
        await WriteAcknowledgedAsync(cluster, Write(4, "k", "all again", CommitLevel.All));
        // ALL writes made before the leader noticed the follower was down were appended and wait
        // (or time out) unacknowledged; they may land, which a client is told. The acknowledged
        // ones are all there, in order.
        // The follower learns the commit point with the leader's next append or heartbeat.
        string[] Acknowledged(ReadOutcome? read) => [.. read!.Records.Select(r => Encoding.UTF8.GetString(r.Body.Span)).Where(b => b != "all")];
        await Eventually.UntilAsync(async () => Acknowledged(await cluster[follower].ReadAsync(4, -1, 100, null, Ct)).Length == 3, TimeSpan.FromSeconds(10), "the follower has committed the ALL write");
        Assert.Equal(["before", "quorum", "all again"], Acknowledged(await cluster[follower].ReadAsync(4, -1, 100, null, Ct)));
    }

    [Fact]
    public async Task When_the_leader_stops_and_the_assignment_moves_leadership_no_acknowledged_write_is_lost()
    {
        await using var cluster = new InProcessCluster(3);
        cluster.Assign();
        var leader = cluster.LeaderOf(5);
        var acknowledged = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            await WriteAcknowledgedAsync(cluster, Write(5, "k", $"e{i}"));
            acknowledged.Add($"e{i}");
        }

        await cluster.StopAsync(leader);
        cluster.Assign(cluster.Ids.Where(id => id != leader).ToList());
        Assert.NotEqual(leader, cluster.LeaderOf(5));
        for (var i = 10; i < 15; i++)
        {
            await WriteAcknowledgedAsync(cluster, Write(5, "k", $"e{i}"));
            acknowledged.Add($"e{i}");
        }

        var read = await cluster[cluster.LeaderOf(5)].ReadAsync(5, -1, 100, null, Ct);
        Assert.Equal(acknowledged, read!.Records.Select(r => Encoding.UTF8.GetString(r.Body.Span)));
    }

    [Fact]
    public async Task Reading_by_key_returns_only_that_keys_events_in_order()
    {
        await using var cluster = new InProcessCluster(3, partitions: 1);
        cluster.Assign();
        foreach (var (key, body) in new[] { ("a", "1"), ("b", "x"), ("a", "2"), ("b", "y"), ("a", "3") })
        {
            await WriteAcknowledgedAsync(cluster, Write(0, key, body));
        }

        var read = await cluster[cluster.LeaderOf(0)].ReadAsync(0, -1, 100, Encoding.UTF8.GetBytes("a"), Ct);
        Assert.Equal(["1", "2", "3"], read!.Records.Select(r => Encoding.UTF8.GetString(r.Body.Span)));
        var after = await cluster[cluster.LeaderOf(0)].ReadAsync(0, read.Records[0].Offset, 100, Encoding.UTF8.GetBytes("a"), Ct);
        Assert.Equal(["2", "3"], after!.Records.Select(r => Encoding.UTF8.GetString(r.Body.Span)));
    }
}
