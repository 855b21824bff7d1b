using DataCluster.Client.Tests.Support;

namespace DataCluster.Client.Tests;

/// <summary>Assignment changes: the watch stream, its reconnects, polling without it, and the routing they feed.</summary>
public sealed class AssignmentWatchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_watch_stream_reconnects_after_a_drop_and_starts_again_from_the_current_state()
    {
        await using var cluster = await FakeCluster.StartAsync(agents: 2, partitions: 4);
        await using var test = TestClient.For(cluster);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var changes = new List<AssignmentChange>();
        var watch = Task.Run(async () =>
        {
            await foreach (var change in test.Client.WatchAssignmentsAsync(cancellationToken: stop.Token))
            {
                lock (changes)
                {
                    changes.Add(change);
                }
            }
        }, Ct);
        await Wait.UntilAsync(() => Count(changes) == 3, "the stream's current state arrives");
        cluster.MoveLeader(1, cluster[0]);
        await Wait.UntilAsync(() => Count(changes) == 4, "a change arrives");

        cluster[0].DropStreams();
        cluster.MoveLeader(3, cluster[0], announce: false);
        await Wait.UntilAsync(() => Count(changes) == 8, "the reconnected stream's state arrives");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch);

        Assert.Equal(
            [
                (AssignmentChangeKind.Reset, (int[])[]),
                (AssignmentChangeKind.Assigned, [0, 2]),
                (AssignmentChangeKind.LeaderGained, [0, 2]),
                (AssignmentChangeKind.LeaderGained, [1]),
                (AssignmentChangeKind.ConnectionLost, []),
                (AssignmentChangeKind.Reset, []),
                (AssignmentChangeKind.Assigned, [0, 1, 2, 3]),
                (AssignmentChangeKind.LeaderGained, [0, 1, 2, 3]),
            ],
            changes.Select(c => (c.Kind, c.Partitions.ToArray())));
        Assert.Equal(2, cluster[0].Requests.All.Count(r => r.PathAndQuery == "/v1/assignments/watch"));
    }

    [Fact]
    public async Task Without_a_stream_assignments_are_polled_and_reported_as_changes()
    {
        await using var cluster = await FakeCluster.StartAsync(agents: 2, partitions: 4);
        cluster[0].ServesStream = false;
        await using var test = TestClient.For(cluster);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var changes = new List<AssignmentChange>();
        var watch = Task.Run(async () =>
        {
            await foreach (var change in test.Client.WatchAssignmentsAsync(cancellationToken: stop.Token))
            {
                lock (changes)
                {
                    changes.Add(change);
                }
            }
        }, Ct);
        await Wait.UntilAsync(() => Count(changes) == 3, "the polled state arrives");
        cluster.MoveLeader(2, cluster[1]);
        await Wait.UntilAsync(() => Count(changes) == 5, "the next poll's difference arrives");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch);

        Assert.Equal(
            [
                (AssignmentChangeKind.Reset, (int[])[]),
                (AssignmentChangeKind.Assigned, [0, 2]),
                (AssignmentChangeKind.LeaderGained, [0, 2]),
                (AssignmentChangeKind.LeaderLost, [2]),
                (AssignmentChangeKind.Revoked, [2]),
            ],
            changes.Select(c => (c.Kind, c.Partitions.ToArray())));
        Assert.Contains(cluster[0].Requests.All, r => r.PathAndQuery == "/v1/assignments");
    }

    [Fact]
    public async Task Writes_follow_a_leader_move_announced_on_the_streams()
    {
        await using var cluster = await FakeCluster.StartAsync();
        await using var test = TestClient.For(cluster);
        var key = WriteTests.KeyLedBy(cluster, cluster[2]);
        var partition = cluster.PartitionOf(key);
        await test.KnowsLeaderAsync(partition, cluster[2]);

        cluster.MoveLeader(partition, cluster[1]);
        await Wait.UntilAsync(() => test.Client.LeaderOf(partition) == cluster[1].Address, "the client hears of the move");
        await test.Client.WriteAsync(key, "UP", cancellationToken: Ct);

        Assert.Empty(cluster[2].Requests.Writes);
        Assert.Single(cluster[1].Requests.Writes);
    }

    [Fact]
    public async Task A_member_whose_stream_breaks_is_followed_again_once_it_is_back()
    {
        await using var cluster = await FakeCluster.StartAsync();
        await using var test = TestClient.For(cluster);
        var key = WriteTests.KeyLedBy(cluster, cluster[2]);
        var partition = cluster.PartitionOf(key);
        await test.KnowsLeaderAsync(partition, cluster[2]);
        // The client opens its streams one by one: had agent 1's not opened yet, there would be
        // nothing to break, and its first stream would carry the move.
        await Wait.UntilAsync(() => cluster[1].OpenStreams == 1, "the client follows agent 1's stream");

        cluster[1].DropStreams();
        cluster.MoveLeader(partition, cluster[1], announce: false);
        cluster[2].Publish("leader-lost", cluster.Epoch, [partition]);

        await Wait.UntilAsync(() => test.Client.LeaderOf(partition) == cluster[1].Address, "the client learns agent 1's state from its reopened stream");
        Assert.True(cluster[1].Requests.All.Count(r => r.PathAndQuery == "/v1/assignments/watch") >= 2, "the stream was reopened");
    }

    private static int Count(List<AssignmentChange> changes)
    {
        lock (changes)
        {
            return changes.Count;
        }
    }
}
