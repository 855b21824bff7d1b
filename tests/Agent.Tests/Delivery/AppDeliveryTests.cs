using System.Text;
using DataCluster.Agent.DataPlane;
using DataCluster.Agent.Delivery;
using DataCluster.Agent.Tests.DataPlane;
using DataCluster.Replication;
using DataCluster.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DataCluster.Agent.Tests.Delivery;

/// <summary>
/// Push delivery from the data planes of three members in one process to an app on an
/// in-process Kestrel: order, at least once, retries with backoff per partition, stopping with
/// the leadership, and resuming on the next leader from the replicated consumed offset.
/// </summary>
public sealed class AppDeliveryTests : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, (AppDelivery Delivery, CancellationTokenSource Stop, Task Running)> _deliveries = new(StringComparer.Ordinal);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AppDeliveryOptions Options(Uri url, int inFlight = 16) => new()
    {
        Url = url,
        MaxPartitionsInFlight = inFlight,
        MaxBatchEvents = 4,
        InitialBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(400),
        ScanInterval = TimeSpan.FromMilliseconds(50),
        IdleRecheck = TimeSpan.FromMilliseconds(500),
        Timeout = TimeSpan.FromSeconds(5),
    };

    private void StartDelivery(InProcessCluster cluster, string id, AppDeliveryOptions options)
    {
        var delivery = new AppDelivery(cluster[id], options, id, NullLogger.Instance);
        var stop = new CancellationTokenSource();
        _deliveries[id] = (delivery, stop, Task.Run(() => delivery.RunAsync(stop.Token), CancellationToken.None));
    }

    private async Task StopDeliveryAsync(string id)
    {
        if (_deliveries.Remove(id, out var running))
        {
            await running.Stop.CancelAsync();
            await running.Running;
            running.Stop.Dispose();
            running.Delivery.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _deliveries.Keys.ToList())
        {
            await StopDeliveryAsync(id);
        }
    }

    private static async Task<long> WriteAsync(InProcessCluster cluster, int partition, string body)
    {
        WriteOutcome? outcome = null;
        await Eventually.UntilAsync(async () =>
        {
            outcome = await cluster[cluster.LeaderOf(partition)].WriteAsync(
                new WriteRequest(partition, Encoding.UTF8.GetBytes($"key-{partition}"), "text/plain", Encoding.UTF8.GetBytes(body), CommitLevel.Quorum, null, -1), Ct);
            return outcome.Status == WriteStatus.Acknowledged;
        }, Deadline, $"a write to partition {partition} is acknowledged", () => $"last outcome {outcome}");
        return outcome!.Offset;
    }

    private static long Deliveries(InProcessCluster cluster, string outcome) => cluster.Ids.Sum(id => cluster[id].Metrics.Deliveries.Value(outcome));

    private static string Describe(DeliveryApp app) =>
        "attempts: " + string.Join("; ", app.Attempts.Select(a => $"{a.Member} p{a.Partition} e{a.Epoch} [{string.Join(",", a.Offsets)}] -> {a.Status} at {a.At.TotalMilliseconds:0}"));

    [Fact]
    public async Task Every_committed_event_reaches_the_app_once_in_offset_order_from_its_leader_and_followers_learn_the_consumed_offset()
    {
        await using var app = await DeliveryApp.StartAsync(Ct);
        await using var cluster = new InProcessCluster(3);
        cluster.Assign();
        var written = new Dictionary<int, List<long>>();
        for (var i = 0; i < 40; i++)
        {
            var partition = i % 4;
            (written.TryGetValue(partition, out var list) ? list : written[partition] = []).Add(await WriteAsync(cluster, partition, $"event-{i}"));
        }

        foreach (var id in cluster.Ids)
        {
            StartDelivery(cluster, id, Options(app.Url));
        }

        await Eventually.UntilAsync(() => written.All(w => app.TakenOffsets(w.Key).Count >= w.Value.Count), Deadline, "every event is taken", () => Describe(app));
        for (var i = 40; i < 48; i++)
        {
            written[i % 4].Add(await WriteAsync(cluster, i % 4, $"event-{i}"));
        }

        await Eventually.UntilAsync(() => written.All(w => app.TakenOffsets(w.Key).Count >= w.Value.Count), Deadline, "the events written while delivering are taken", () => Describe(app));
        foreach (var (partition, offsets) in written)
        {
            Assert.Equal(offsets, app.TakenOffsets(partition));
            Assert.All(app.Taken.Where(b => b.Partition == partition), b => Assert.Equal(cluster.LeaderOf(partition), b.Member));
            Assert.All(app.Taken.Where(b => b.Partition == partition), b => Assert.True(b.Offsets.Length <= 4, $"a batch of {b.Offsets.Length} events"));
            // Statuses are snapshots refreshed every 100 ms: the leader's commit point is read again at each look.
            long Commit() => cluster[cluster.LeaderOf(partition)].StatusOf(partition)!.CommitOffset;
            foreach (var id in cluster.Assignment.ReplicasOf(partition).ToArray())
            {
                await Eventually.UntilAsync(() => cluster[id].StatusOf(partition)?.ConsumedOffset == Commit(), Deadline,
                    $"{id} knows partition {partition} consumed up to the leader's commit point", () => $"{id}: {cluster[id].StatusOf(partition)}; leader's commit {Commit()}");
            }
        }

        Assert.DoesNotContain(app.Taken, b => !written.ContainsKey(b.Partition));
        Assert.Equal(0, Deliveries(cluster, "failed"));
        Assert.True(Deliveries(cluster, "ok") >= 12, $"{Deliveries(cluster, "ok")} batches for 48 events of at most 4");
    }

    [Fact]
    public async Task A_partition_whose_app_answers_500_is_retried_with_growing_backoff_and_does_not_hold_up_the_others()
    {
        await using var app = await DeliveryApp.StartAsync(Ct);
        await using var cluster = new InProcessCluster(3);
        cluster.Assign();
        const int Failing = 1;
        const int failUntilAttempt = 6;
        var failingAttempts = 0;
        app.Answer = batch => batch.Partition == Failing && Interlocked.Increment(ref failingAttempts) <= failUntilAttempt ? 500 : 200;
        var written = new Dictionary<int, List<long>>();
        for (var i = 0; i < 12; i++)
        {
            var partition = i % 3;
            (written.TryGetValue(partition, out var list) ? list : written[partition] = []).Add(await WriteAsync(cluster, partition, $"event-{i}"));
        }

        // One partition on the wire at a time: a partition waiting out its backoff must not hold the slot.
        foreach (var id in cluster.Ids)
        {
            StartDelivery(cluster, id, Options(app.Url, inFlight: 1));
        }

        await Eventually.UntilAsync(() => app.TakenOffsets(0).Count >= 4 && app.TakenOffsets(2).Count >= 4, Deadline, "the healthy partitions are delivered", () => Describe(app));
        var failuresWhenOthersDone = Volatile.Read(ref failingAttempts);
        await Eventually.UntilAsync(() => app.TakenOffsets(Failing).Count >= 4, Deadline, "the failing partition is delivered once the app takes it", () => Describe(app));

        Assert.True(failuresWhenOthersDone < failUntilAttempt, $"the other partitions waited for {failuresWhenOthersDone} failed attempts");
        Assert.Equal(written[Failing], app.TakenOffsets(Failing));
        Assert.Equal(written[0], app.TakenOffsets(0));
        Assert.Equal(written[2], app.TakenOffsets(2));
        var attempts = app.Attempts.Where(a => a.Partition == Failing).ToList();
        Assert.All(attempts.Take(failUntilAttempt), a => Assert.Equal(written[Failing][0], a.Offsets[0]));
        var gaps = attempts.Zip(attempts.Skip(1), (a, b) => (b.At - a.At).TotalMilliseconds).Take(failUntilAttempt).ToList();
        // 50, 100, 200, 400, 400, 400 ms between attempts (capped), each at least the wait.
        double[] waits = [50, 100, 200, 400, 400, 400];
        for (var i = 0; i < gaps.Count; i++)
        {
            Assert.True(gaps[i] >= waits[i] * 0.9, $"attempt {i + 2} came {gaps[i]:0} ms after the one before, less than the backoff of {waits[i]} ms: {string.Join(", ", gaps.Select(g => g.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))}");
        }

        Assert.True(gaps.Max() < 5000, $"the backoff is capped: {string.Join(", ", gaps)}");
        Assert.Equal(failUntilAttempt, Deliveries(cluster, "failed"));
    }

    [Fact]
    public async Task Delivery_stops_when_the_leadership_moves_and_the_new_leader_takes_over_the_retries()
    {
        await using var app = await DeliveryApp.StartAsync(Ct);
        await using var cluster = new InProcessCluster(4, partitions: 4);
        cluster.Assign(over: ["dc-0", "dc-1", "dc-2"]);
        const int Partition = 2;
        var oldLeader = cluster.LeaderOf(Partition);
        var offsets = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            offsets.Add(await WriteAsync(cluster, Partition, $"event-{i}"));
        }

        var accept = false;
        app.Answer = _ => Volatile.Read(ref accept) ? 200 : 500;
        foreach (var id in cluster.Ids)
        {
            StartDelivery(cluster, id, Options(app.Url));
        }

        await Eventually.UntilAsync(() => app.Attempts.Count(a => a.Member == oldLeader) >= 3, Deadline, "the leader retries the refused batch", () => Describe(app));
        cluster.Assign(over: [.. cluster.Ids.Where(id => id != oldLeader)]);
        var newLeader = cluster.LeaderOf(Partition);
        Assert.NotEqual(oldLeader, newLeader);
        await Eventually.UntilAsync(() => app.Attempts.Any(a => a.Member == newLeader), Deadline, "the new leader delivers", () => Describe(app));
        // The old leader stopped with its leadership: give it several of its backoffs to show otherwise.
        var oldAttempts = app.Attempts.Count(a => a.Member == oldLeader);
        await Task.Delay(TimeSpan.FromMilliseconds(1500), Ct);
        Volatile.Write(ref accept, true);
        await Eventually.UntilAsync(() => app.TakenOffsets(Partition).Count >= offsets.Count, Deadline, "the new leader's batch is taken", () => Describe(app));

        Assert.Equal(oldAttempts, app.Attempts.Count(a => a.Member == oldLeader));
        Assert.All(app.Taken, b => Assert.Equal(newLeader, b.Member));
        Assert.Equal(offsets, app.TakenOffsets(Partition));
    }

    [Fact]
    public async Task After_a_leader_is_killed_the_next_one_resumes_from_the_replicated_offset_repeating_only_the_unreplicated_tail()
    {
        await using var app = await DeliveryApp.StartAsync(Ct);
        await using var cluster = new InProcessCluster(3, partitions: 4);
        cluster.Assign();
        const int Partition = 3;
        var leader = cluster.LeaderOf(Partition);
        var written = new List<long>();
        for (var i = 0; i < 8; i++)
        {
            written.Add(await WriteAsync(cluster, Partition, $"first-{i}"));
        }

        foreach (var id in cluster.Ids)
        {
            StartDelivery(cluster, id, Options(app.Url));
        }

        await Eventually.UntilAsync(() => app.TakenOffsets(Partition).Count >= written.Count, Deadline, "the first events are taken", () => Describe(app));
        // Statuses are snapshots refreshed every 100 ms: the leader's commit point is read again at each look.
        long Commit() => cluster[leader].StatusOf(Partition)!.CommitOffset;
        foreach (var id in cluster.Ids.Where(id => id != leader))
        {
            await Eventually.UntilAsync(() => cluster[id].StatusOf(Partition)?.ConsumedOffset == Commit(), Deadline, $"{id} learned the consumed offset up to the leader's commit point",
                () => $"{id}: {cluster[id].StatusOf(Partition)}; leader's commit {Commit()}");
        }

        // The leader dies as soon as the app has taken its next batch: that batch's consumed offset
        // may or may not reach a follower first, so it is the tail that may come again.
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.OnTaken = batch =>
        {
            if (batch.Member == leader && batch.Bodies.Any(b => b.StartsWith("second-", StringComparison.Ordinal)))
            {
                killed.TrySetResult();
            }
        };
        var tail = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            tail.Add(await WriteAsync(cluster, Partition, $"second-{i}"));
        }

        await killed.Task.WaitAsync(Deadline, Ct);
        await StopDeliveryAsync(leader);
        await cluster.StopAsync(leader);
        cluster.Assign(over: [.. cluster.Ids.Where(id => id != leader)]);
        var next = cluster.LeaderOf(Partition);
        var after = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            after.Add(await WriteAsync(cluster, Partition, $"third-{i}"));
        }

        await Eventually.UntilAsync(() => app.TakenOffsets(Partition).Contains(after[^1]), Deadline, "the new leader delivers the events written after the failover", () => Describe(app));

        var taken = app.TakenOffsets(Partition);
        var all = written.Concat(tail).Concat(after).ToList();
        Assert.Equal(all, taken.Distinct().Order().ToList());
        var repeated = taken.GroupBy(o => o).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.All(repeated, offset => Assert.Contains(offset, tail));
        var byNewLeader = app.Taken.Where(b => b.Member == next && b.Partition == Partition).SelectMany(b => b.Offsets).ToList();
        Assert.Equal(byNewLeader.Order(), byNewLeader);
        Assert.DoesNotContain(byNewLeader, written.Contains);
        Assert.True(app.Taken.Where(b => b.Member == next).All(b => b.Epoch > app.Taken.Where(t => t.Member == leader).Max(t => t.Epoch)),
            Describe(app));
    }
}
