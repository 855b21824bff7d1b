using Microsoft.AspNetCore.Http;
using DataCluster.Client.Tests.Support;

namespace DataCluster.Client.Tests;

/// <summary>
/// The pull consumer: it starts at the consumed offset the cluster recorded, hands out events in
/// offset order once each, follows the leader, and commits what the app consumed.
/// </summary>
public sealed class ConsumerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_consumer_starts_at_the_recorded_consumed_offset_and_hands_out_events_in_order_then_new_ones()
    {
        await using var cluster = await FakeCluster.StartAsync();
        await using var test = TestClient.For(cluster, o => { o.PageSize = 3; o.FollowPollInterval = TimeSpan.FromMilliseconds(20); });
        const int partition = 5;
        for (var i = 0; i < 10; i++)
        {
            cluster.Append(partition, $"server-{i % 3}", $"event-{i}");
        }

        cluster.SetConsumed(partition, 4);
        var consumer = test.Client.Consume(partition);
        await using var run = Consuming.Start(consumer, Ct);
        await run.CountAsync(6);
        Assert.Equal(4, consumer.CommittedOffset);
        cluster.Append(partition, "server-1", "event-10");
        cluster.Append(partition, "server-2", "event-11");
        await run.CountAsync(8);

        Assert.Equal(Enumerable.Range(4, 8).Select(i => (long)i), run.Offsets);
        Assert.Equal(Enumerable.Range(4, 8).Select(i => $"event-{i}"), run.Events.Select(e => e.BodyText));
        Assert.All(run.Events, e => Assert.Equal(partition, e.Partition));
        Assert.Equal(11, consumer.Position);
        Assert.Empty(cluster.Agents.SelectMany(a => a.Requests.Commits));
        Assert.Equal(4, cluster.Consumed(partition));
        var first = cluster.Agents.SelectMany(a => a.Requests.All).Where(r => r.PathAndQuery.StartsWith($"/v1/partitions/{partition}/events", StringComparison.Ordinal)).MinBy(r => r.At)!;
        Assert.Contains("after=consumed", first.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explicit_commits_record_the_offset_after_the_handled_event_at_the_leader_and_never_go_back()
    {
        await using var cluster = await FakeCluster.StartAsync();
        await using var test = TestClient.For(cluster, o => o.FollowPollInterval = TimeSpan.FromMilliseconds(20));
        const int partition = 2;
        for (var i = 0; i < 6; i++)
        {
            cluster.Append(partition, "k", $"event-{i}");
        }

        var leader = cluster.LeaderOf(partition)!;
        await test.KnowsLeaderAsync(partition, leader);
        var consumer = test.Client.Consume(partition, ConsumerCommit.Explicit);
        await using var run = Consuming.Start(consumer, Ct);
        await run.CountAsync(6);

        Assert.Equal(3, await consumer.CommitAsync(run.Events[2], Ct));
        Assert.Equal(3, cluster.Consumed(partition));
        Assert.Equal(3, await consumer.CommitAsync(run.Events[1], Ct)); // below the recorded offset: nothing is sent
        Assert.Equal(6, await consumer.CommitAsync(Ct));
        Assert.Equal(6, await consumer.CommitAsync(Ct)); // nothing new handed out: nothing is sent

        Assert.Equal(6, cluster.Consumed(partition));
        Assert.Equal([3L, 6L], leader.CommittedOffsets);
        Assert.Equal(2, leader.Requests.Commits.Count);
        Assert.All(leader.Requests.Commits, r => Assert.True(r.Redirect, "a commit asks for a redirect rather than a forward"));
    }

    [Fact]
    public async Task Commit_on_next_move_commits_what_the_app_moved_past_but_not_the_event_it_holds()
    {
        await using var cluster = await FakeCluster.StartAsync(agents: 1);
        await using var test = TestClient.For(cluster, o => { o.PageSize = 3; o.FollowPollInterval = TimeSpan.FromMilliseconds(20); });
        const int partition = 7;
        for (var i = 0; i < 7; i++)
        {
            cluster.Append(partition, "k", $"event-{i}");
        }

        var consumer = test.Client.Consume(partition, ConsumerCommit.OnNextMove);
        var holding = new SemaphoreSlim(0);
        var release = new SemaphoreSlim(0);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var seen = new List<long>();
        var loop = Task.Run(async () =>
        {
            await foreach (var e in consumer.ReadAsync(stop.Token))
            {
                seen.Add(e.Offset);
                if (e.Offset == 6)
                {
                    // The app holds the last event: everything before it is handled, it is not.
                    holding.Release();
                    await release.WaitAsync(stop.Token);
                }
            }
        }, Ct);

        await holding.WaitAsync(Ct);
        await Wait.UntilAsync(() => cluster.Consumed(partition) == 6, "events 0 to 5 are committed before the last page is read");
        Assert.Equal(6, consumer.CommittedOffset);
        release.Release();
        await Wait.UntilAsync(() => cluster.Consumed(partition) == 7, "the last event is committed once the app moves past it");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);

        Assert.Equal([0L, 1L, 2L, 3L, 4L, 5L, 6L], seen);
        Assert.Equal([3L, 6L, 7L], cluster[0].CommittedOffsets);
    }

    [Fact]
    public async Task Across_a_failover_the_running_consumer_goes_on_without_repeats_and_a_new_one_resumes_from_the_committed_offset()
    {
        await using var cluster = await FakeCluster.StartAsync(agents: 3);
        cluster.ReadsAtLeaderOnly = true;
        await using var test = TestClient.For(cluster, o => o.FollowPollInterval = TimeSpan.FromMilliseconds(20));
        const int partition = 4; // led by dc-1
        var oldLeader = cluster.LeaderOf(partition)!;
        Assert.Same(cluster[1], oldLeader);
        for (var i = 0; i < 5; i++)
        {
            cluster.Append(partition, "k", $"event-{i}");
        }

        await test.KnowsLeaderAsync(partition, oldLeader);
        var consumer = test.Client.Consume(partition);
        await using var run = Consuming.Start(consumer, Ct);
        await run.CountAsync(5);
        await consumer.CommitAsync(run.Events[2], Ct);
        Assert.Equal([3L], oldLeader.CommittedOffsets);

        // The leader dies (its port refuses connections) and dc-2 takes the partition over; it
        // was unavailable for a moment, then holds the replicated log and consumed offset.
        await oldLeader.StopAsync();
        cluster[2].UnavailableReads = 1;
        cluster.MoveLeader(partition, cluster[2]);
        for (var i = 5; i < 8; i++)
        {
            cluster.Append(partition, "k", $"event-{i}");
        }

        await run.CountAsync(8);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), run.Offsets);

        // A second app (its own client) replacing the first starts where the commits left off.
        await using var replacement = TestClient.For(cluster, o => o.FollowPollInterval = TimeSpan.FromMilliseconds(20), agent: 0);
        var second = replacement.Client.Consume(partition);
        await using var resumed = Consuming.Start(second, Ct);
        await resumed.CountAsync(5);
        Assert.Equal([3L, 4L, 5L, 6L, 7L], resumed.Offsets);

        Assert.Equal(8, await consumer.CommitAsync(Ct));
        Assert.Equal(8, cluster.Consumed(partition));
        Assert.Equal([8L], cluster[2].CommittedOffsets);
    }

    [Fact]
    public async Task A_commit_follows_a_421_to_the_new_leader_and_waits_out_a_503()
    {
        await using var cluster = await FakeCluster.StartAsync(agents: 3);
        await using var test = TestClient.For(cluster, o => o.FollowPollInterval = TimeSpan.FromMilliseconds(20));
        const int partition = 1; // led by dc-1
        for (var i = 0; i < 3; i++)
        {
            cluster.Append(partition, "k", $"event-{i}");
        }

        await test.KnowsLeaderAsync(partition, cluster[1]);
        var consumer = test.Client.Consume(partition);
        await using var run = Consuming.Start(consumer, Ct);
        await run.CountAsync(3);

        // The client has not heard of the move: dc-1 answers 421 naming dc-2, which first answers
        // 503 (still syncing), then takes the commit.
        cluster.MoveLeader(partition, cluster[2], announce: false);
        cluster[2].CommitScript = async (context, attempt) =>
        {
            if (attempt > 1)
            {
                return false;
            }

            context.Response.StatusCode = 503;
            context.Response.Headers.RetryAfter = "1";
            await context.Response.WriteAsJsonAsync(new { error = "syncing", message = "still syncing" });
            return true;
        };

        Assert.Equal(3, await consumer.CommitAsync(Ct));

        Assert.Equal(3, cluster.Consumed(partition));
        Assert.NotEmpty(cluster[1].Requests.Commits);
        Assert.Equal(2, cluster[2].Requests.Commits.Count);
        Assert.Equal([3L], cluster[2].CommittedOffsets);
    }

    [Fact]
    public async Task Bad_input_gets_a_clear_error_before_any_request()
    {
        await using var cluster = await FakeCluster.StartAsync(agents: 1, partitions: 16);
        await using var test = TestClient.For(cluster);
        await test.Client.PartitionOfAsync("any", Ct); // the ring is known

        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => test.Client.Consume(-1));
        var beyond = Assert.Throws<ArgumentOutOfRangeException>(() => test.Client.Consume(16));
        var mode = Assert.Throws<ArgumentOutOfRangeException>(() => test.Client.Consume(0, (ConsumerCommit)7));
        Assert.Contains("0 to 15", beyond.Message, StringComparison.Ordinal);
        Assert.Contains("Explicit or OnNextMove", mode.Message, StringComparison.Ordinal);
        Assert.Equal("partition", negative.ParamName);

        var consumer = test.Client.Consume(3);
        var foreign = new Event(4, 0, 1, "k", DateTimeOffset.UnixEpoch, null, Array.Empty<byte>());
        var ahead = new Event(3, 0, 1, "k", DateTimeOffset.UnixEpoch, null, Array.Empty<byte>());
        Assert.Contains("partition 4", (await Assert.ThrowsAsync<ArgumentException>(() => consumer.CommitAsync(foreign, Ct))).Message, StringComparison.Ordinal);
        Assert.Contains("not handed out", (await Assert.ThrowsAsync<ArgumentException>(() => consumer.CommitAsync(ahead, Ct))).Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentNullException>(() => consumer.CommitAsync(null!, Ct));
        Assert.Equal(-1, await consumer.CommitAsync(Ct)); // nothing handed out: nothing to commit, nothing sent
        Assert.Empty(cluster[0].Requests.Commits);
    }

    [Fact]
    public async Task A_second_enumeration_of_a_running_consumer_is_refused_and_a_refused_commit_throws_with_the_agents_reason()
    {
        await using var cluster = await FakeCluster.StartAsync(agents: 1);
        await using var test = TestClient.For(cluster, o => o.FollowPollInterval = TimeSpan.FromMilliseconds(20));
        cluster.Append(0, "k", "event-0");
        var consumer = test.Client.Consume(0);
        await using var run = Consuming.Start(consumer, Ct);
        await run.CountAsync(1);

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var e in consumer.ReadAsync(Ct))
            {
                Assert.Fail($"a second enumeration handed out offset {e.Offset}");
            }
        });

        cluster[0].CommitScript = async (context, _) =>
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsJsonAsync(new { error = "offset_beyond_commit", message = "offset 1 is beyond partition 0's commit point 0" });
            return true;
        };
        var refused = await Assert.ThrowsAsync<DataClusterRejectedException>(() => consumer.CommitAsync(Ct));
        Assert.Equal("offset_beyond_commit", refused.Error);
        Assert.Equal(400, refused.StatusCode);
        Assert.Equal(0, consumer.CommittedOffset);
    }

    /// <summary>A consumer's enumeration running in the background, recording what it hands out.</summary>
    private sealed class Consuming : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop;
        private readonly Task _loop;
        private readonly List<Event> _events = [];

        private Consuming(PartitionConsumer consumer, CancellationToken cancellationToken)
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _loop = Task.Run(async () =>
            {
                await foreach (var e in consumer.ReadAsync(_stop.Token))
                {
                    lock (_events)
                    {
                        _events.Add(e);
                    }
                }
            }, CancellationToken.None);
        }

        public IReadOnlyList<Event> Events
        {
            get
            {
                lock (_events)
                {
                    return [.. _events];
                }
            }
        }

        public IReadOnlyList<long> Offsets => [.. Events.Select(e => e.Offset)];

        public static Consuming Start(PartitionConsumer consumer, CancellationToken cancellationToken) => new(consumer, cancellationToken);

        public Task CountAsync(int count) =>
            Wait.UntilAsync(() => Events.Count >= count || _loop.IsCompleted, $"the consumer hands out {count} events").ContinueWith(
                t =>
                {
                    t.GetAwaiter().GetResult();
                    if (_loop.IsFaulted)
                    {
                        throw new InvalidOperationException("the consumer failed", _loop.Exception);
                    }
                },
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }

            _stop.Dispose();
        }
    }
}
