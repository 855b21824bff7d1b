using DataCluster.Agent.Membership;
using DataCluster.Agent.Observability;
using DataCluster.Agent.Tests.Support;
using DataCluster.Testing;
using DataCluster.Testing.Logging;
using DataCluster.Testing.Time;
using Xunit;

namespace DataCluster.Agent.Tests.Membership;

public sealed class MemberHeartbeatTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan Renew = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(10);

    private static MemberHeartbeat Create(CountingLeaseStore store, TimeProvider time, AgentMetrics? metrics = null) =>
        new(store, "dc-0", Lease, Renew, metrics ?? new AgentMetrics(), new TestLogger(), time);

    [Fact]
    public async Task Each_renew_interval_brings_exactly_one_Lease_update_and_no_reads_after_the_first()
    {
        var clock = new CountingTimeProvider();
        var store = new CountingLeaseStore();
        await store.SeedAsync();
        using var metrics = new AgentMetrics();
        using var renewals = new RecordedMeasurements(metrics.Meter, "datacluster.agent.lease_renew");
        var heartbeat = Create(store, clock, metrics);
        using var stop = new CancellationTokenSource();
        var running = heartbeat.RunAsync(stop.Token);

        var renewTimes = new List<DateTimeOffset>();
        for (var i = 1; i <= 10; i++)
        {
            // Parked in its i-th pause: the clock can move without racing the loop.
            await Eventually.UntilAsync(() => clock.TimersCreated == i, Hang, $"the heartbeat waits for renewal {i + 1}");
            Assert.Equal(i, store.Updates);
            renewTimes.Add(store.Current!.Spec.RenewTime!.Value);
            clock.Advance(Renew);
        }

        await Eventually.UntilAsync(() => store.Updates == 11, Hang, "the eleventh renewal");
        await stop.CancelAsync();
        await running;

        Assert.Equal(11, store.Updates);
        Assert.Equal(1, store.Gets);
        Assert.Equal(0, store.Creates);
        Assert.All(renewTimes.Zip(renewTimes.Skip(1)), pair => Assert.Equal(Renew, pair.Second - pair.First));
        Assert.Equal(11, renewals.Count);
        var lease = store.Current!;
        Assert.Equal("dc-0", lease.Spec.HolderIdentity);
        Assert.Equal(6, lease.Spec.LeaseDurationSeconds);
        Assert.Equal(renewTimes[0], lease.Spec.AcquireTime);
    }

    [Fact]
    public async Task A_conflicting_write_costs_one_read_and_one_retry_within_the_same_renewal()
    {
        var time = new CountingTimeProvider();
        var store = new CountingLeaseStore();
        await store.SeedAsync();
        var heartbeat = Create(store, time);
        Assert.Equal(RenewOutcome.Renewed, await heartbeat.RenewOnceAsync(TestContext.Current.CancellationToken));

        store.BeforeNextUpdate = store.TouchAsync;
        time.Advance(Renew);
        Assert.Equal(RenewOutcome.Renewed, await heartbeat.RenewOnceAsync(TestContext.Current.CancellationToken));

        Assert.Equal((2, 3), (store.Gets, store.Updates));
        Assert.Equal(time.GetUtcNow(), store.Current!.Spec.RenewTime);
        Assert.True(heartbeat.IsHeld);
    }

    [Fact]
    public async Task A_missing_Lease_is_never_created_and_the_agent_does_not_count_as_holding_it()
    {
        var time = new CountingTimeProvider();
        var store = new CountingLeaseStore();
        var metrics = new AgentMetrics();
        var heartbeat = Create(store, time, metrics);

        Assert.Equal(RenewOutcome.Missing, await heartbeat.RenewOnceAsync(TestContext.Current.CancellationToken));

        Assert.Equal(0, store.Creates);
        Assert.Null(store.Current);
        Assert.False(heartbeat.IsHeld);
        Assert.Contains("does not exist", heartbeat.Problem, StringComparison.Ordinal);
        Assert.Equal(1, metrics.LeaseRenewFailures.Value);
    }

    [Fact]
    public async Task The_Lease_counts_as_held_until_a_lease_duration_after_the_last_successful_renewal()
    {
        var time = new CountingTimeProvider();
        var store = new CountingLeaseStore();
        await store.SeedAsync();
        var heartbeat = Create(store, time);
        Assert.False(heartbeat.IsHeld);
        await heartbeat.RenewOnceAsync(TestContext.Current.CancellationToken);
        Assert.True(heartbeat.IsHeld);

        store.Failure = new HttpRequestException("connection refused");
        time.Advance(Renew);
        Assert.Equal(RenewOutcome.Failed, await heartbeat.RenewOnceAsync(TestContext.Current.CancellationToken));
        Assert.True(heartbeat.IsHeld);
        Assert.Contains("connection refused", heartbeat.Problem, StringComparison.Ordinal);

        time.Advance(Lease - Renew - TimeSpan.FromMilliseconds(1));
        Assert.True(heartbeat.IsHeld);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(heartbeat.IsHeld);

        store.Failure = null;
        Assert.Equal(RenewOutcome.Renewed, await heartbeat.RenewOnceAsync(TestContext.Current.CancellationToken));
        Assert.True(heartbeat.IsHeld);
        Assert.Null(heartbeat.Problem);
    }
}
