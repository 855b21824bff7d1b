using System.Text;
using DataCluster.Agent.DataPlane;
using DataCluster.Agent.Hosting;
using DataCluster.Agent.Membership;
using DataCluster.Agent.Tests.DataPlane;
using DataCluster.Agent.Tests.Support;
using DataCluster.Contracts;
using DataCluster.Replication;
using DataCluster.Ring;
using DataCluster.Testing;
using DataCluster.Testing.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using static DataCluster.Agent.Tests.Support.Objects;

namespace DataCluster.Agent.Tests.Hosting;

/// <summary>
/// The shutdown sequence of a member: announce leaving, wait for the leaderships to move while
/// still serving as a replica, stop; on the data planes of three members in one process.
/// </summary>
public sealed class LeadershipHandoffTests
{
    /// <summary>Only catches a hang: a handoff in one process takes well under a second.</summary>
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    /// <summary>How far before its time a timer may end, measured on the high-resolution clock.</summary>
    private static readonly TimeSpan TimerTick = TimeSpan.FromMilliseconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static WriteRequest Write(int partition, string body, string? producer = null, long sequence = -1) =>
        new(partition, Encoding.UTF8.GetBytes("key-" + partition), "text/plain", Encoding.UTF8.GetBytes(body), CommitLevel.Quorum, producer, sequence);

    private static async Task WriteEveryPartitionAsync(InProcessCluster cluster, string body)
    {
        for (var p = 0; p < cluster.Settings.Partitions; p++)
        {
            WriteOutcome? outcome = null;
            var partition = p;
            await Eventually.UntilAsync(async () =>
            {
                outcome = await cluster[cluster.LeaderOf(partition)].WriteAsync(Write(partition, body), Ct);
                return outcome.Status == WriteStatus.Acknowledged;
            }, Hang, $"partition {p} acknowledges '{body}'", () => $"last outcome {outcome}");
        }
    }

    private static LeadershipHandoff Handoff(InProcessCluster cluster, string self, Func<CancellationToken, Task<bool>> announce) =>
        new(self, () => cluster.Assignment, () => cluster[self].Statuses, announce, new TestLogger(), TimeProvider.System);

    [Fact]
    public async Task Leadership_moves_to_live_replicas_that_take_writes_before_the_stopping_member_exits()
    {
        await using var cluster = new InProcessCluster(3);
        cluster.Assign();
        await WriteEveryPartitionAsync(cluster, "before");
        const string self = "dc-0";
        var led = Enumerable.Range(0, cluster.Settings.Partitions).Where(p => cluster.LeaderOf(p) == self).ToList();
        Assert.NotEmpty(led);

        var announced = 0;
        var result = await Handoff(cluster, self, _ =>
        {
            // What the cluster leader does on seeing the Lease marked leaving.
            Interlocked.Increment(ref announced);
            cluster.Assign(draining: [self]);
            return Task.FromResult(true);
        }).RunAsync(Hang, Ct);

        Assert.True(result.Completed, $"pending partitions: {string.Join(", ", result.Pending)}");
        Assert.Equal(1, announced);
        // At the moment the member may exit: it leads nothing, and each new leader takes writes
        // at the first attempt (it has synced, with this member among the replicas it heard from).
        Assert.DoesNotContain(cluster[self].Statuses, s => s.Role is ReplicaRole.Leading or ReplicaRole.Syncing);
        foreach (var p in led)
        {
            var leader = cluster.LeaderOf(p);
            Assert.NotEqual(self, leader);
            var outcome = await cluster[leader].WriteAsync(Write(p, "handed off"), Ct);
            Assert.Equal(WriteStatus.Acknowledged, outcome.Status);
        }

        // It exits; its partitions still take writes at once, and hold everything acknowledged.
        await cluster.StopAsync(self);
        foreach (var p in led)
        {
            var outcome = await cluster[cluster.LeaderOf(p)].WriteAsync(Write(p, "after"), Ct);
            Assert.Equal(WriteStatus.Acknowledged, outcome.Status);
            var read = await cluster[cluster.LeaderOf(p)].ReadAsync(p, -1, 100, null, Ct);
            Assert.Equal(["before", "handed off", "after"], read!.Records.Select(r => Encoding.UTF8.GetString(r.Body.Span)));
        }
    }

    [Fact]
    public async Task Without_a_new_leader_the_member_stops_once_the_grace_has_passed()
    {
        await using var cluster = new InProcessCluster(3);
        cluster.Assign();
        await WriteEveryPartitionAsync(cluster, "before");
        const string self = "dc-1";
        var led = Enumerable.Range(0, cluster.Settings.Partitions).Where(p => cluster.LeaderOf(p) == self).ToList();
        var grace = TimeSpan.FromSeconds(1);

        // The announcement reaches nobody: no cluster leader publishes a move.
        var result = await Handoff(cluster, self, _ => Task.FromResult(false)).RunAsync(grace, Ct);

        Assert.False(result.Completed);
        Assert.Equal(led, result.Pending);
        // The grace is a timer, which counts whole milliseconds of a coarser clock than the
        // elapsed time's: it may end up to a tick before the full second on that clock.
        Assert.InRange(result.Elapsed, grace - TimerTick, grace + Hang);
        Assert.Contains(cluster[self].Statuses, s => s.Role == ReplicaRole.Leading);
    }

    [Fact]
    public async Task A_cancelled_handoff_ends_at_once()
    {
        await using var cluster = new InProcessCluster(3);
        cluster.Assign();
        await WriteEveryPartitionAsync(cluster, "before");
        using var second = new CancellationTokenSource();
        var running = Handoff(cluster, "dc-2", _ => Task.FromResult(true)).RunAsync(Hang, second.Token);
        await second.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Hang, Ct));
    }

    [Fact]
    public void A_sole_member_has_nothing_to_hand_off_once_the_move_leaves_its_partitions_without_a_leader()
    {
        var before = Assignment.Create(1, 2, 1, [["a"], ["a"]]);
        var after = Assignment.Create(2, 2, 1, [["a"], ["a"]], draining: ["a"]);
        var withOther = Assignment.Create(2, 2, 1, [["a"], ["b"]], draining: ["a"]);
        PartitionStatus Follower(int p) => new(p, ReplicaRole.None, 1, null, 0, 10, 10, 10, []);

        Assert.Equal([0, 1], LeadershipHandoff.Pending("a", new SortedSet<int>(), before, null));
        Assert.Null(after.LeaderOf(0));
        Assert.Empty(LeadershipHandoff.Pending("a", new SortedSet<int>([0, 1]), after, [Follower(0), Follower(1)]));
        // Another member that stays may still be given partition 0: it is still pending.
        Assert.Equal([0], LeadershipHandoff.Pending("a", new SortedSet<int>([0, 1]), withOther, [Follower(0), Follower(1)]));
    }

    [Fact]
    public void A_member_counts_as_handed_off_only_once_it_follows_the_assigned_leader_in_a_started_term()
    {
        var before = Assignment.Create(1, 2, 3, [["a", "b", "c"], ["b", "a", "c"]]);
        var after = Assignment.Create(2, 2, 3, [["b", "a", "c"], ["b", "a", "c"]]);
        var led = new SortedSet<int>();
        PartitionStatus Status(int p, ReplicaRole role, string? leader, long term, long lastLogTerm) =>
            new(p, role, term, leader, 0, 10, 10, 10, [], LastLogTerm: lastLogTerm);

        // Before the move: a leads partition 0.
        Assert.Equal([0], LeadershipHandoff.Pending("a", led, before, [Status(0, ReplicaRole.Leading, "a", 1, 1), Status(1, ReplicaRole.Following, "b", 1, 1)]));
        // The move is published, a has stepped down, b has a promise but no TermStart yet.
        Assert.Equal([0], LeadershipHandoff.Pending("a", led, after, [Status(0, ReplicaRole.Following, "b", 2, 1), Status(1, ReplicaRole.Following, "b", 1, 1)]));
        // b's TermStart reached a.
        Assert.Empty(LeadershipHandoff.Pending("a", led, after, [Status(0, ReplicaRole.Following, "b", 2, 2), Status(1, ReplicaRole.Following, "b", 1, 1)]));
        // A partition a never led, whose new leader c holds a's promise but has not started its term: c may be fetching from a.
        var third = Assignment.Create(3, 2, 3, [["b", "a", "c"], ["c", "a", "b"]]);
        Assert.Equal([1], LeadershipHandoff.Pending("a", led, third, [Status(0, ReplicaRole.Following, "b", 2, 2), Status(1, ReplicaRole.Following, "c", 3, 1)]));
        Assert.Empty(LeadershipHandoff.Pending("a", led, third, [Status(0, ReplicaRole.Following, "b", 2, 2), Status(1, ReplicaRole.Following, "c", 3, 3)]));
        // Without a data plane the assignment alone decides.
        Assert.Equal([0], LeadershipHandoff.Pending("a", new SortedSet<int>(), before, null));
        Assert.Empty(LeadershipHandoff.Pending("a", new SortedSet<int>(), after, null));
    }

    [Fact]
    public async Task A_leaving_mark_on_the_member_Lease_makes_the_member_draining_until_its_next_start_renews_without_it()
    {
        var store = new CountingLeaseStore();
        await store.SeedAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var heartbeat = new MemberHeartbeat(store, "dc-0", TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(2), new Observability.AgentMetrics(), new TestLogger(), time);
        var leases = new LeaseObservations(time, TimeSpan.FromSeconds(6));
        var ring = RingSnapshot.From(RingSlice(1, [0]), Cluster);

        await heartbeat.RenewOnceAsync(Ct);
        Assert.True(leases.Observe(store.Current!));
        Assert.Equal(MemberState.Active, Assert.Single(MembershipCalculator.Compute(Cluster, ring, leases)).State);

        Assert.True(await heartbeat.AnnounceLeavingAsync(Ct));
        Assert.Equal("true", store.Current!.Metadata.Annotations?[AnnotationKeys.Leaving]);
        Assert.True(leases.Observe(store.Current), "the mark is a change the cluster leader acts on");
        Assert.Equal(MemberState.Draining, Assert.Single(MembershipCalculator.Compute(Cluster, ring, leases)).State);

        // Later renewals keep the mark.
        time.Advance(TimeSpan.FromSeconds(2));
        await heartbeat.RenewOnceAsync(Ct);
        leases.Observe(store.Current!);
        Assert.Equal(MemberState.Draining, Assert.Single(MembershipCalculator.Compute(Cluster, ring, leases)).State);

        // The member's next start renews without it.
        var restarted = new MemberHeartbeat(store, "dc-0", TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(2), new Observability.AgentMetrics(), new TestLogger(), time);
        await restarted.RenewOnceAsync(Ct);
        Assert.False(store.Current!.Metadata.Annotations?.ContainsKey(AnnotationKeys.Leaving) ?? false);
        Assert.True(leases.Observe(store.Current));
        Assert.Equal(MemberState.Active, Assert.Single(MembershipCalculator.Compute(Cluster, ring, leases)).State);
    }
}
