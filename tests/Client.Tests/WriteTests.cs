using System.Diagnostics;
using System.Net.Http.Json;
using DataCluster.Client.Tests.Support;
using DataCluster.Contracts;
using Microsoft.AspNetCore.Http;

namespace DataCluster.Client.Tests;

/// <summary>Writes: routing to the partition leader, retries with the same producer sequence, typed failures.</summary>
public sealed class WriteTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Writes_go_straight_to_the_partition_leader()
    {
        await using var cluster = await FakeCluster.StartAsync();
        await using var test = TestClient.For(cluster);
        var key = KeyLedBy(cluster, cluster[2]);
        await test.KnowsLeaderAsync(cluster.PartitionOf(key), cluster[2]);

        var result = await test.Client.WriteAsync(key, "DOWN", cancellationToken: Ct);

        Assert.Equal(cluster.PartitionOf(key), result.Partition);
        Assert.Equal(0, result.Offset);
        Assert.Empty(cluster[0].Requests.Writes);
        Assert.Empty(cluster[1].Requests.Writes);
        var sent = Assert.Single(cluster[2].Requests.Writes);
        Assert.Equal(test.Client.ProducerId, sent.ProducerId);
        Assert.True(sent.Redirect, "the client asks for a 421 rather than a forwarded write");
        Assert.Equal("DOWN", System.Text.Encoding.UTF8.GetString(Assert.Single(cluster.Log(result.Partition)).Body));
    }

    [Fact]
    public async Task A_421_is_followed_to_the_leader_it_names()
    {
        await using var cluster = await FakeCluster.StartAsync();
        await using var test = TestClient.For(cluster);
        var key = KeyLedBy(cluster, cluster[2]);
        var partition = cluster.PartitionOf(key);
        await test.KnowsLeaderAsync(partition, cluster[2]);
        // The leadership moves to agent 1 before the client hears of it: agent 2 now answers
        // 421 naming agent 1.
        cluster.MoveLeader(partition, cluster[1], announce: false);

        var result = await test.Client.WriteAsync(key, "UP", cancellationToken: Ct);

        Assert.Equal(partition, result.Partition);
        Assert.Equal(["POST"], cluster[2].Requests.Writes.Select(r => r.Method));
        var delivered = Assert.Single(cluster[1].Requests.Writes);
        Assert.Equal(cluster[2].Requests.Writes[0].Sequence, delivered.Sequence);
        Assert.Single(cluster.Log(partition));
    }

    [Fact]
    public async Task A_503_is_retried_after_its_Retry_After_and_then_succeeds()
    {
        await using var cluster = await FakeCluster.StartAsync();
        await using var test = TestClient.For(cluster);
        var key = KeyLedBy(cluster, cluster[1]);
        await test.KnowsLeaderAsync(cluster.PartitionOf(key), cluster[1]);
        cluster[1].WriteScript = async (context, attempt) =>
        {
            if (attempt > 1)
            {
                return false;
            }

            context.Response.StatusCode = 503;
            context.Response.Headers.RetryAfter = "1";
            await context.Response.WriteAsJsonAsync(new { error = "syncing", message = "the new leader is syncing" });
            return true;
        };

        var result = await test.Client.WriteAsync(key, "DOWN", cancellationToken: Ct);

        var writes = cluster[1].Requests.Writes;
        Assert.Equal(2, writes.Count);
        Assert.Equal(writes[0].Sequence, writes[1].Sequence);
        Assert.True(writes[1].At - writes[0].At >= TimeSpan.FromMilliseconds(950), $"the retry came {(writes[1].At - writes[0].At).TotalMilliseconds} ms after a Retry-After of 1 s");
        Assert.False(result.Duplicate);
        Assert.Single(cluster.Log(result.Partition));
    }

    [Fact]
    public async Task A_lost_connection_is_retried_with_the_same_producer_sequence_and_stored_once()
    {
        await using var cluster = await FakeCluster.StartAsync();
        await using var test = TestClient.For(cluster);
        var key = KeyLedBy(cluster, cluster[0]);
        var partition = cluster.PartitionOf(key);
        await test.KnowsLeaderAsync(partition, cluster[0]);
        // The first attempt is stored, then the connection breaks before the answer: only the
        // producer sequence lets the retry find the stored event instead of adding a second.
        cluster[0].WriteScript = async (context, attempt) =>
        {
            if (attempt > 1)
            {
                return false;
            }

            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            cluster.Write(partition, key, body.ToArray(), null, context.Request.Headers[AgentHeaders.ProducerId], long.Parse(context.Request.Headers[AgentHeaders.Sequence]!, System.Globalization.CultureInfo.InvariantCulture));
            context.Abort();
            return true;
        };

        var first = await test.Client.WriteAsync(key, "DOWN", cancellationToken: Ct);
        var second = await test.Client.WriteAsync(key, "UP", cancellationToken: Ct);

        var writes = cluster[0].Requests.Writes.Concat(cluster[1].Requests.Writes).Concat(cluster[2].Requests.Writes).ToList();
        Assert.Equal(3, writes.Count);
        Assert.All(writes, w => Assert.Equal(test.Client.ProducerId, w.ProducerId));
        Assert.Equal(writes[0].Sequence, writes[1].Sequence);
        Assert.True(writes[2].Sequence > writes[1].Sequence, "the next write takes a new sequence");
        Assert.True(first.Duplicate, "the retry found the event its lost attempt had stored");
        Assert.Equal(["DOWN", "UP"], cluster.Log(partition).Select(e => System.Text.Encoding.UTF8.GetString(e.Body)));
        Assert.Equal(1, second.Offset);
    }

    [Fact]
    public async Task A_write_that_gets_no_answer_gives_up_within_its_timeout_retrying_the_same_sequence()
    {
        await using var cluster = await FakeCluster.StartAsync();
        await using var test = TestClient.For(cluster, o =>
        {
            o.WriteTimeout = TimeSpan.FromSeconds(2);
            o.AttemptTimeout = TimeSpan.FromMilliseconds(400);
        });
        var key = KeyLedBy(cluster, cluster[1]);
        await test.KnowsLeaderAsync(cluster.PartitionOf(key), cluster[1]);
        foreach (var agent in cluster.Agents)
        {
            agent.WriteScript = async (context, _) =>
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
                return true;
            };
        }

        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<DataClusterUnavailableException>(() => test.Client.WriteAsync(key, "DOWN", cancellationToken: Ct));
        clock.Stop();

        // Generous bound: the write's timeout is 2 s; this catches a client that keeps trying.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"gave up after {clock.Elapsed}");
        Assert.Null(failure.StatusCode);
        Assert.IsType<TimeoutException>(failure.InnerException);
        var writes = cluster.Agents.SelectMany(a => a.Requests.Writes).ToList();
        Assert.True(writes.Count >= 2, $"{writes.Count} attempts");
        Assert.All(writes, w => Assert.Equal(writes[0].Sequence, w.Sequence));
    }

    [Fact]
    public async Task A_503_whose_Retry_After_is_beyond_the_time_left_fails_at_once_with_the_agents_reason()
    {
        await using var cluster = await FakeCluster.StartAsync();
        await using var test = TestClient.For(cluster, o => o.WriteTimeout = TimeSpan.FromSeconds(5));
        var key = KeyLedBy(cluster, cluster[0]);
        await test.KnowsLeaderAsync(cluster.PartitionOf(key), cluster[0]);
        cluster[0].WriteScript = async (context, _) =>
        {
            context.Response.StatusCode = 503;
            context.Response.Headers.RetryAfter = "60";
            await context.Response.WriteAsJsonAsync(new { error = "commit_level_unavailable", message = "too many replicas are down" });
            return true;
        };

        var failure = await Assert.ThrowsAsync<DataClusterUnavailableException>(() => test.Client.WriteAsync(key, "DOWN", cancellationToken: Ct));

        Assert.Equal(503, failure.StatusCode);
        Assert.Equal("commit_level_unavailable", failure.Error);
        Assert.Equal("too many replicas are down", failure.ServerMessage);
        Assert.Equal(TimeSpan.FromSeconds(60), failure.RetryAfter);
        Assert.Single(cluster[0].Requests.Writes);
    }

    [Fact]
    public async Task A_refusal_is_not_retried_and_carries_the_agents_reason()
    {
        await using var cluster = await FakeCluster.StartAsync();
        await using var test = TestClient.For(cluster);
        var key = KeyLedBy(cluster, cluster[0]);
        await test.KnowsLeaderAsync(cluster.PartitionOf(key), cluster[0]);
        cluster[0].WriteScript = async (context, _) =>
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsJsonAsync(new { error = "invalid_commit_level", message = "commitLevel One is weaker than the cluster's Quorum" });
            return true;
        };

        var failure = await Assert.ThrowsAsync<DataClusterRejectedException>(() => test.Client.WriteAsync(key, "DOWN", new WriteOptions { CommitLevel = CommitLevel.One }, Ct));

        Assert.Equal(400, failure.StatusCode);
        Assert.Equal("invalid_commit_level", failure.Error);
        Assert.Contains("weaker", failure.Message, StringComparison.Ordinal);
        Assert.Single(cluster[0].Requests.Writes);
    }

    [Fact]
    public async Task The_commit_level_of_one_write_is_sent_with_it_and_reported_back()
    {
        await using var cluster = await FakeCluster.StartAsync();
        await using var test = TestClient.For(cluster, o => o.CommitLevel = CommitLevel.Quorum);
        var key = KeyLedBy(cluster, cluster[0]);
        await test.KnowsLeaderAsync(cluster.PartitionOf(key), cluster[0]);

        var all = await test.Client.WriteAsync(key, "DOWN", new WriteOptions { CommitLevel = CommitLevel.All }, Ct);
        var quorum = await test.Client.WriteAsync(key, "UP", cancellationToken: Ct);

        Assert.Equal(CommitLevel.All, all.CommitLevel);
        Assert.Equal(CommitLevel.Quorum, quorum.CommitLevel);
        var writes = cluster[0].Requests.Writes;
        Assert.EndsWith("?commitLevel=All", writes[0].PathAndQuery, StringComparison.Ordinal);
        Assert.EndsWith("?commitLevel=Quorum", writes[1].PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_writes_of_one_partition_reach_the_leader_in_call_order_with_rising_sequences()
    {
        await using var cluster = await FakeCluster.StartAsync();
        await using var test = TestClient.For(cluster);
        var key = KeyLedBy(cluster, cluster[1]);
        await test.KnowsLeaderAsync(cluster.PartitionOf(key), cluster[1]);

        var writes = Enumerable.Range(0, 20).Select(i => test.Client.WriteAsync(key, i.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken: Ct)).ToList();
        var results = await Task.WhenAll(writes);

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), results.Select(r => r.Offset));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), cluster.Log(results[0].Partition).Select(e => System.Text.Encoding.UTF8.GetString(e.Body)));
        var sequences = cluster[1].Requests.Writes.Select(w => w.Sequence!.Value).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(20, sequences.Distinct().Count());
    }

    [Fact]
    public async Task Bad_keys_fail_before_any_request_is_sent()
    {
        await using var cluster = await FakeCluster.StartAsync(agents: 1);
        await using var test = TestClient.For(cluster);

        var empty = await Assert.ThrowsAsync<ArgumentException>(() => test.Client.WriteAsync("", "DOWN", cancellationToken: Ct));
        var tooLong = await Assert.ThrowsAsync<ArgumentException>(() => test.Client.WriteAsync(new string('k', Limits.KeyBytes.Max + 1), "DOWN", cancellationToken: Ct));
        var multiByte = await Assert.ThrowsAsync<ArgumentException>(() => test.Client.WriteAsync(new string('é', (Limits.KeyBytes.Max / 2) + 1), "DOWN", cancellationToken: Ct));
        var surrogate = await Assert.ThrowsAsync<ArgumentException>(() => test.Client.WriteAsync("server-\ud800", "DOWN", cancellationToken: Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => test.Client.WriteAsync(null!, "DOWN", cancellationToken: Ct));
        Assert.Throws<ArgumentException>(() => test.Client.ReadKeyAsync("", cancellationToken: Ct));
        Assert.Throws<ArgumentOutOfRangeException>(() => test.Client.ReadPartitionAsync(-1, cancellationToken: Ct));

        Assert.Contains("empty", empty.Message, StringComparison.Ordinal);
        Assert.Contains($"over the limit of {Limits.KeyBytes.Max}", tooLong.Message, StringComparison.Ordinal);
        Assert.Contains($"{Limits.KeyBytes.Max + 2} bytes", multiByte.Message, StringComparison.Ordinal);
        Assert.Contains("surrogate", surrogate.Message, StringComparison.Ordinal);
        Assert.Empty(cluster[0].Requests.All);
        // The longest key that is allowed is written.
        var longest = await test.Client.WriteAsync(new string('k', Limits.KeyBytes.Max), "DOWN", cancellationToken: Ct);
        Assert.Equal(0, longest.Offset);
    }

    /// <summary>A key whose partition <paramref name="agent"/> leads.</summary>
    internal static string KeyLedBy(FakeCluster cluster, FakeAgent agent) =>
        Enumerable.Range(0, 1000).Select(i => $"server-{i}").First(k => cluster.LeaderOf(cluster.PartitionOf(k)) == agent);
}
