using DataCluster.Client.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DataCluster.Client.Tests;

/// <summary>Reads of a partition or a key in order, page by page, and the follow read that tails a partition.</summary>
public sealed class ReadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_partition_is_read_from_its_leader_in_offset_order_page_by_page()
    {
        await using var cluster = await FakeCluster.StartAsync();
        await using var test = TestClient.For(cluster, o => o.PageSize = 10);
        const int partition = 4;
        for (var i = 0; i < 25; i++)
        {
            cluster.Append(partition, $"server-{i % 3}", $"event-{i}");
        }

        var leader = cluster.LeaderOf(partition)!;
        await test.KnowsLeaderAsync(partition, leader);
        var events = await ToListAsync(test.Client.ReadPartitionAsync(partition, cancellationToken: Ct));

        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)i), events.Select(e => e.Offset));
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"event-{i}"), events.Select(e => e.BodyText));
        Assert.All(events, e => Assert.Equal(partition, e.Partition));
        var reads = leader.Requests.All.Where(r => r.PathAndQuery.StartsWith($"/v1/partitions/{partition}/events", StringComparison.Ordinal)).Select(r => r.PathAndQuery).ToList();
        Assert.Equal([$"/v1/partitions/{partition}/events?limit=10", $"/v1/partitions/{partition}/events?limit=10&after=9", $"/v1/partitions/{partition}/events?limit=10&after=19"], reads);
    }

    [Fact]
    public async Task A_read_from_an_offset_returns_only_later_events()
    {
        await using var cluster = await FakeCluster.StartAsync(agents: 1);
        await using var test = TestClient.For(cluster);
        for (var i = 0; i < 5; i++)
        {
            cluster.Append(2, "k", $"event-{i}");
        }

        var events = await ToListAsync(test.Client.ReadPartitionAsync(2, after: 2, cancellationToken: Ct));

        Assert.Equal([3L, 4L], events.Select(e => e.Offset));
    }

    [Fact]
    public async Task A_key_is_read_in_order_past_pages_that_examined_records_without_a_match()
    {
        await using var cluster = await FakeCluster.StartAsync(agents: 2);
        await using var test = TestClient.For(cluster, o => o.PageSize = 10);
        cluster.KeyScanLimit = 4;
        const string key = "server-7";
        var partition = cluster.PartitionOf(key);
        var other = Enumerable.Range(0, 1000).Select(i => $"other-{i}").First(k => cluster.PartitionOf(k) == partition);
        for (var i = 0; i < 30; i++)
        {
            cluster.Append(partition, i % 10 == 9 ? key : other, $"event-{i}");
        }

        var events = await ToListAsync(test.Client.ReadKeyAsync(key, cancellationToken: Ct));

        Assert.Equal([9L, 19L, 29L], events.Select(e => e.Offset));
        Assert.All(events, e => Assert.Equal(key, e.Key));
    }

    [Fact]
    public async Task A_read_after_a_write_waits_for_a_copy_that_has_committed_the_clients_own_write()
    {
        await using var cluster = await FakeCluster.StartAsync(agents: 1);
        await using var test = TestClient.For(cluster, o => o.FollowPollInterval = TimeSpan.FromMilliseconds(20));
        await test.Client.WriteAsync("server-1", "DOWN", cancellationToken: Ct);
        await test.Client.WriteAsync("server-1", "UP", cancellationToken: Ct);
        cluster[0].StaleReads = 3;

        var events = await ToListAsync(test.Client.ReadKeyAsync("server-1", cancellationToken: Ct));

        Assert.Equal(["DOWN", "UP"], events.Select(e => e.BodyText));
        Assert.True(cluster[0].Requests.All.Count(r => r.PathAndQuery.StartsWith("/v1/keys/", StringComparison.Ordinal) && r.Method == "GET") >= 4, "the stale answers were read again");
    }

    [Fact]
    public async Task Following_a_partition_yields_events_committed_after_it_caught_up()
    {
        await using var cluster = await FakeCluster.StartAsync(agents: 1);
        await using var test = TestClient.For(cluster, o => o.FollowPollInterval = TimeSpan.FromMilliseconds(20));
        cluster.Append(1, "a", "before-0");
        cluster.Append(1, "a", "before-1");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var seen = new List<Event>();

        var follow = Task.Run(async () =>
        {
            await foreach (var e in test.Client.FollowPartitionAsync(1, cancellationToken: stop.Token))
            {
                lock (seen)
                {
                    seen.Add(e);
                }
            }
        }, Ct);
        await Wait.UntilAsync(() => { lock (seen) { return seen.Count == 2; } }, "the follower reads the first two events");
        cluster.Append(1, "a", "after-2");
        cluster.Append(1, "b", "after-3");
        await Wait.UntilAsync(() => { lock (seen) { return seen.Count == 4; } }, "the follower reads the events committed later");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => follow);

        Assert.Equal(["before-0", "before-1", "after-2", "after-3"], seen.Select(e => e.BodyText));
        Assert.Equal([0L, 1L, 2L, 3L], seen.Select(e => e.Offset));
    }

    [Fact]
    public async Task Reads_and_writes_fail_within_their_timeouts_when_no_agent_answers()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var provider = new ServiceCollection()
            .AddDataClusterClient(o =>
            {
                o.BaseAddress = new Uri($"http://127.0.0.1:{port}");
                o.ReadTimeout = TimeSpan.FromSeconds(1);
                o.WriteTimeout = TimeSpan.FromSeconds(1);
            })
            .BuildServiceProvider();
        var client = provider.GetRequiredService<IDataClusterClient>();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var read = await Assert.ThrowsAsync<DataClusterUnavailableException>(() => ToListAsync(client.ReadKeyAsync("server-1", cancellationToken: Ct)));
        var write = await Assert.ThrowsAsync<DataClusterUnavailableException>(() => client.WriteAsync("server-1", "DOWN", cancellationToken: Ct));

        // Generous: each gives up after 1 s; this catches one that waits for the ring forever.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Contains("ring could not be read", read.Message, StringComparison.Ordinal);
        Assert.Contains("ring could not be read", write.Message, StringComparison.Ordinal);
    }

    private static async Task<List<Event>> ToListAsync(IAsyncEnumerable<Event> events)
    {
        var list = new List<Event>();
        await foreach (var e in events)
        {
            list.Add(e);
        }

        return list;
    }
}
