using System.Diagnostics;
using DataCluster.Kube.Election;
using DataCluster.Kube.Models;
using DataCluster.Kube.Tests.Support;
using DataCluster.Testing;
using DataCluster.Testing.Logging;

namespace DataCluster.Kube.Tests.Election;

/// <summary>The election loop on an in-memory Lease in real (short) time.</summary>
public sealed class LeaderElectorRunTests
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RenewDeadline = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// A retry period far longer than the waits the watch tests assert: without the watch, a
    /// candidate would take a released lease only at its next attempt, 5-6 s later.
    /// </summary>
    private static readonly LeaderElectionOptions SlowRetry = new()
    {
        LeaseNamespace = "ns",
        LeaseName = "leader",
        Identity = "a",
        LeaseDuration = TimeSpan.FromSeconds(30),
        RenewDeadline = TimeSpan.FromSeconds(20),
        RetryPeriod = TimeSpan.FromSeconds(5),
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static LeaderElector Candidate(ILeaseStore store, string identity, Action? stopped = null) =>
        new(store, new LeaderElectionOptions
        {
            LeaseNamespace = "ns",
            LeaseName = "leader",
            Identity = identity,
            LeaseDuration = LeaseDuration,
            RenewDeadline = RenewDeadline,
            RetryPeriod = RetryPeriod,
        }, TestLogger.For(identity))
        {
            OnStoppedLeading = stopped,
        };

    [Fact]
    public async Task A_leader_cut_off_from_the_lease_steps_down_before_anyone_else_can_take_it()
    {
        var store = new InMemoryLeaseStore();
        var partitioned = new SwitchableStore(store);
        var stoppedAt = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        var a = Candidate(partitioned, "a", () => stoppedAt = clock.Elapsed);
        var b = Candidate(store, "b");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var runA = a.RunAsync(stop.Token);
        await Eventually.UntilAsync(() => a.IsLeader, TimeSpan.FromSeconds(5), "a leads");
        var runB = b.RunAsync(stop.Token);

        var violations = 0;
        var cutAt = clock.Elapsed;
        partitioned.Broken = true;
        await Eventually.UntilAsync(() =>
        {
            if (a.IsLeader && b.IsLeader)
            {
                violations++;
            }

            return b.IsLeader;
        }, TimeSpan.FromSeconds(10), "b takes over");
        var takeoverAt = clock.Elapsed;

        Assert.Equal(0, violations);
        Assert.False(a.IsLeader);
        Assert.InRange(stoppedAt - cutAt, TimeSpan.Zero, RenewDeadline + TimeSpan.FromMilliseconds(100)); // no later than the deadline after its last renew
        Assert.True(stoppedAt < takeoverAt, "a must stop leading before b starts");

        // Reconnected, a campaigns again but follows b.
        partitioned.Broken = false;
        await Eventually.UntilAsync(() => a.CurrentLeader == "b", TimeSpan.FromSeconds(5), "a sees b lead");
        Assert.False(a.IsLeader);

        await stop.CancelAsync();
        await Task.WhenAll(runA, runB).WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.Equal("", store.Current!.Spec.HolderIdentity); // b released on the graceful stop
        Assert.Equal(1, store.Current!.Spec.LeaseDurationSeconds);
    }

    [Fact]
    public async Task A_graceful_stop_releases_the_lease_even_when_a_renewal_it_never_saw_answered_changed_it()
    {
        var store = new InMemoryLeaseStore();
        var a = Candidate(store, "a");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = a.RunAsync(stop.Token);
        await Eventually.UntilAsync(() => a.IsLeader, TimeSpan.FromSeconds(5), "a leads");

        // What a renewal applied by the server looks like when its answer is lost: the same
        // holder, a newer version than the one the elector observed.
        var renewed = store.Current!;
        renewed.Spec.RenewTime = DateTimeOffset.UtcNow;
        await store.UpdateAsync(renewed, Ct);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5), Ct);

        Assert.Equal("", store.Current!.Spec.HolderIdentity);
        Assert.Equal(1, store.Current!.Spec.LeaseDurationSeconds);
    }

    [Fact]
    public async Task A_candidate_whose_attempts_outlive_the_renew_deadline_keeps_campaigning_and_leads_once_answered()
    {
        var store = new SwitchableStore(new InMemoryLeaseStore()) { Hanging = true };
        var a = Candidate(store, "a");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = a.RunAsync(stop.Token);

        // Several attempts time out (each after RenewDeadline); the loop goes on.
        await Task.Delay(RenewDeadline * 3, Ct);
        Assert.False(run.IsCompleted, run.Exception?.GetBaseException().ToString() ?? "the election loop ended");
        Assert.False(a.IsLeader);

        store.Hanging = false;
        await Eventually.UntilAsync(() => a.IsLeader, TimeSpan.FromSeconds(10), "a leads once the store answers");

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5), Ct);
    }

    [Fact]
    public async Task A_release_seen_through_a_watch_ends_a_candidates_wait_at_once()
    {
        var store = new InMemoryLeaseStore();
        var a = new LeaderElector(store, SlowRetry, TestLogger.For("a"));
        var b = new LeaderElector(store, SlowRetry with { Identity = "b" }, TestLogger.For("b"));
        using var stopA = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var stopB = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var runA = a.RunAsync(stopA.Token);
        await Eventually.UntilAsync(() => a.IsLeader, TimeSpan.FromSeconds(5), "a leads");
        var runB = b.RunAsync(stopB.Token);
        await Eventually.UntilAsync(() => b.CurrentLeader == "a", TimeSpan.FromSeconds(5), "b sees a lead");
        await Task.Delay(100, Ct); // b is now in its wait for the next attempt

        await stopA.CancelAsync();
        await runA.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.Equal("", store.Current!.Spec.HolderIdentity);
        b.ObserveWatched(store.Current);

        await Eventually.UntilAsync(() => b.IsLeader, TimeSpan.FromSeconds(3), "b takes the released lease without waiting out its retry period");
        await stopB.CancelAsync();
        await runB.WaitAsync(TimeSpan.FromSeconds(5), Ct);
    }

    [Fact]
    public async Task A_release_seen_through_a_watch_during_an_attempt_that_read_the_lease_before_it_is_tried_again_at_once()
    {
        var store = new InMemoryLeaseStore();
        var a = new LeaderElector(store, SlowRetry, TestLogger.For("a"));
        Assert.True(await a.TryAcquireOrRenewAsync(Ct));
        LeaderElector? b = null;
        var reads = 0;
        var racing = new HookedStore(store, async () =>
        {
            // b's first read has returned a's lease; a releases it now, and b's watch shows that.
            if (Interlocked.Increment(ref reads) == 1)
            {
                var held = store.Current!;
                held.Spec.HolderIdentity = "";
                await store.UpdateAsync(held, Ct);
                b!.ObserveWatched(store.Current);
            }
        });
        b = new LeaderElector(racing, SlowRetry with { Identity = "b" }, TestLogger.For("b"));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = b.RunAsync(stop.Token);

        await Eventually.UntilAsync(() => b.IsLeader, TimeSpan.FromSeconds(3), "b tries again at once and takes the released lease");
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5), Ct);
    }

    [Fact]
    public async Task The_leading_token_is_cancelled_when_the_elector_stops()
    {
        var store = new InMemoryLeaseStore();
        var leadingCancelled = new TaskCompletionSource();
        var a = new LeaderElector(store, new LeaderElectionOptions
        {
            LeaseNamespace = "ns",
            LeaseName = "leader",
            Identity = "a",
            LeaseDuration = LeaseDuration,
            RenewDeadline = RenewDeadline,
            RetryPeriod = RetryPeriod,
        })
        {
            OnStartedLeading = async token =>
            {
                await Task.Delay(Timeout.Infinite, token).ContinueWith(_ => leadingCancelled.SetResult(), TaskScheduler.Default);
            },
        };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = a.RunAsync(stop.Token);
        await Eventually.UntilAsync(() => a.IsLeader, TimeSpan.FromSeconds(5), "a leads");

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        await leadingCancelled.Task.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.False(a.IsLeader);
    }

    /// <summary>Runs <paramref name="afterRead"/> after each read, before its answer is returned.</summary>
    private sealed class HookedStore(ILeaseStore inner, Func<Task> afterRead) : ILeaseStore
    {
        public string Description => inner.Description;

        public async Task<Lease?> GetAsync(CancellationToken cancellationToken)
        {
            var lease = await inner.GetAsync(cancellationToken);
            await afterRead();
            return lease;
        }

        public Task<Lease> CreateAsync(Lease lease, CancellationToken cancellationToken) => inner.CreateAsync(lease, cancellationToken);

        public Task<Lease> UpdateAsync(Lease lease, CancellationToken cancellationToken) => inner.UpdateAsync(lease, cancellationToken);
    }

    private sealed class SwitchableStore(ILeaseStore inner) : ILeaseStore
    {
        public volatile bool Broken;

        /// <summary>Requests get no answer until cancelled (an API server too slow to reply).</summary>
        public volatile bool Hanging;

        public string Description => inner.Description;

        public Task<Lease?> GetAsync(CancellationToken cancellationToken) =>
            Hanging ? Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith<Lease?>(_ => throw new OperationCanceledException(cancellationToken), TaskScheduler.Default)
            : Broken ? Refused<Lease?>() : inner.GetAsync(cancellationToken);

        public Task<Lease> CreateAsync(Lease lease, CancellationToken cancellationToken) => Broken ? Refused<Lease>() : inner.CreateAsync(lease, cancellationToken);

        public Task<Lease> UpdateAsync(Lease lease, CancellationToken cancellationToken) => Broken ? Refused<Lease>() : inner.UpdateAsync(lease, cancellationToken);

        private static Task<TResult> Refused<TResult>() => Task.FromException<TResult>(new HttpRequestException("connection refused"));
    }
}
