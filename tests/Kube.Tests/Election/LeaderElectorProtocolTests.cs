using DataCluster.Kube.Election;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using Microsoft.Extensions.Time.Testing;

namespace DataCluster.Kube.Tests.Election;

/// <summary>
/// The acquire/renew step against an in-memory Lease with a manual clock: when a candidate may
/// take the lease, and what it writes.
/// </summary>
public sealed class LeaderElectorProtocolTests
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(15);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly InMemoryLeaseStore _store = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private LeaderElector Candidate(string identity, ILeaseStore? store = null, List<string>? leaders = null) =>
        new(store ?? _store, new LeaderElectionOptions { LeaseNamespace = "ns", LeaseName = "leader", Identity = identity }, timeProvider: _time)
        {
            OnNewLeader = leader => leaders?.Add(leader),
        };

    [Fact]
    public async Task The_first_candidate_creates_the_lease_and_others_wait_while_it_is_fresh()
    {
        var a = Candidate("a");
        var b = Candidate("b");

        Assert.True(await a.TryAcquireOrRenewAsync(Ct));
        Assert.True(a.IsLeader);
        var lease = _store.Current!;
        Assert.Equal("a", lease.Spec.HolderIdentity);
        Assert.Equal(15, lease.Spec.LeaseDurationSeconds);
        Assert.Equal(0, lease.Spec.LeaseTransitions);
        Assert.Equal(_time.GetUtcNow(), lease.Spec.AcquireTime);

        Assert.False(await b.TryAcquireOrRenewAsync(Ct));
        Assert.False(b.IsLeader);
        Assert.Equal("a", b.CurrentLeader);
        _time.Advance(LeaseDuration - TimeSpan.FromMilliseconds(1));
        Assert.False(await b.TryAcquireOrRenewAsync(Ct));
    }

    [Fact]
    public async Task Expiry_counts_from_when_this_candidate_last_saw_the_record_change()
    {
        var a = Candidate("a");
        var b = Candidate("b");
        await a.TryAcquireOrRenewAsync(Ct);
        await b.TryAcquireOrRenewAsync(Ct); // b observes a's record now

        // a renews 10 s later; b sees the change 12 s later and restarts its count then.
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await a.TryAcquireOrRenewAsync(Ct));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(await b.TryAcquireOrRenewAsync(Ct));

        // 15 s after b's first look (the record is older than that by now, but b only knows
        // it changed 3 s ago): still not expired for b.
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.False(await b.TryAcquireOrRenewAsync(Ct));

        _time.Advance(TimeSpan.FromSeconds(12));
        Assert.True(await b.TryAcquireOrRenewAsync(Ct));
        var lease = _store.Current!;
        Assert.Equal("b", lease.Spec.HolderIdentity);
        Assert.Equal(1, lease.Spec.LeaseTransitions);
        Assert.Equal(_time.GetUtcNow(), lease.Spec.AcquireTime);
    }

    [Fact]
    public async Task A_renewal_seen_through_a_watch_counts_from_when_it_was_written_not_from_the_next_poll()
    {
        var a = Candidate("a");
        var b = Candidate("b");
        await a.TryAcquireOrRenewAsync(Ct);
        await b.TryAcquireOrRenewAsync(Ct);

        // a renews 2 s later and dies; b's watch shows the renewal at once, its next poll 2 s later.
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await a.TryAcquireOrRenewAsync(Ct));
        b.ObserveWatched(_store.Current);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(await b.TryAcquireOrRenewAsync(Ct));

        // Expired for b 15 s after the renewal, not 15 s after the poll that saw it.
        _time.Advance(LeaseDuration - TimeSpan.FromSeconds(2) - TimeSpan.FromMilliseconds(1));
        Assert.False(await b.TryAcquireOrRenewAsync(Ct));
        _time.Advance(TimeSpan.FromMilliseconds(2));
        Assert.True(await b.TryAcquireOrRenewAsync(Ct));
        Assert.Equal("b", _store.Current!.Spec.HolderIdentity);
    }

    [Fact]
    public async Task A_watched_copy_older_than_the_one_read_does_not_restart_the_count()
    {
        var a = Candidate("a");
        var b = Candidate("b");
        await a.TryAcquireOrRenewAsync(Ct);
        var first = _store.Current;
        _time.Advance(TimeSpan.FromSeconds(2));
        await a.TryAcquireOrRenewAsync(Ct);
        await b.TryAcquireOrRenewAsync(Ct); // b reads the second record

        // A watch that lags delivers the first record just before the second one lapses for b.
        _time.Advance(LeaseDuration - TimeSpan.FromMilliseconds(1));
        b.ObserveWatched(first);
        _time.Advance(TimeSpan.FromMilliseconds(2));
        Assert.True(await b.TryAcquireOrRenewAsync(Ct));
    }

    [Fact]
    public async Task A_watched_copy_is_ignored_while_leading()
    {
        var a = Candidate("a");
        var b = Candidate("b");
        await b.TryAcquireOrRenewAsync(Ct);
        var own = _store.Current!;
        own.Spec.HolderIdentity = "a";
        own.Metadata.ResourceVersion = "999";

        b.ObserveWatched(own);

        Assert.True(b.IsLeader);
        Assert.Equal("b", b.CurrentLeader);
        Assert.True(await b.TryAcquireOrRenewAsync(Ct));
        Assert.False(await a.TryAcquireOrRenewAsync(Ct));
    }

    [Fact]
    public async Task A_remote_renewTime_far_in_the_past_does_not_count_as_expired()
    {
        // Another machine's clock is years behind: only local observation matters.
        await _store.CreateAsync(new Lease
        {
            Spec = new LeaseSpec
            {
                HolderIdentity = "skewed",
                LeaseDurationSeconds = 15,
                RenewTime = new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero),
                AcquireTime = new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero),
                LeaseTransitions = 4,
            },
        }, Ct);
        var b = Candidate("b");

        Assert.False(await b.TryAcquireOrRenewAsync(Ct));
        _time.Advance(LeaseDuration);
        Assert.True(await b.TryAcquireOrRenewAsync(Ct));
        Assert.Equal(5, _store.Current!.Spec.LeaseTransitions);
    }

    [Fact]
    public async Task Renewing_keeps_acquireTime_and_transitions_and_moves_renewTime()
    {
        var a = Candidate("a");
        await a.TryAcquireOrRenewAsync(Ct);
        var acquired = _store.Current!.Spec.AcquireTime;

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await a.TryAcquireOrRenewAsync(Ct));

        var lease = _store.Current!;
        Assert.Equal(acquired, lease.Spec.AcquireTime);
        Assert.Equal(_time.GetUtcNow(), lease.Spec.RenewTime);
        Assert.Equal(0, lease.Spec.LeaseTransitions);
    }

    [Fact]
    public async Task A_released_lease_is_taken_at_once()
    {
        var a = Candidate("a");
        await a.TryAcquireOrRenewAsync(Ct);
        var released = _store.Current!;
        released.Spec.HolderIdentity = "";
        released.Spec.LeaseDurationSeconds = 1;
        await _store.UpdateAsync(released, Ct);

        var b = Candidate("b");
        Assert.True(await b.TryAcquireOrRenewAsync(Ct));
        Assert.Equal("b", _store.Current!.Spec.HolderIdentity);
        Assert.Equal(1, _store.Current!.Spec.LeaseTransitions);
    }

    [Fact]
    public async Task When_two_candidates_race_for_an_expired_lease_the_write_conflict_decides()
    {
        var a = Candidate("a");
        await a.TryAcquireOrRenewAsync(Ct);

        // c writes between b's read and b's write.
        var c = Candidate("c");
        var racing = new InterleavingStore(_store);
        var b = Candidate("b", racing);
        await b.TryAcquireOrRenewAsync(Ct);
        await c.TryAcquireOrRenewAsync(Ct);
        _time.Advance(LeaseDuration);
        racing.BeforeNextUpdate = () => Assert.True(c.TryAcquireOrRenewAsync(Ct).GetAwaiter().GetResult());

        Assert.False(await b.TryAcquireOrRenewAsync(Ct));
        Assert.False(b.IsLeader);
        Assert.Equal("c", _store.Current!.Spec.HolderIdentity);
        Assert.Equal(1, _store.Current!.Spec.LeaseTransitions);
    }

    [Fact]
    public async Task New_leaders_are_reported_once_each()
    {
        var seen = new List<string>();
        var a = Candidate("a");
        var b = Candidate("b", leaders: seen);

        await a.TryAcquireOrRenewAsync(Ct);
        await b.TryAcquireOrRenewAsync(Ct);
        await a.TryAcquireOrRenewAsync(Ct);
        await b.TryAcquireOrRenewAsync(Ct);
        _time.Advance(LeaseDuration);
        await b.TryAcquireOrRenewAsync(Ct);

        Assert.Equal(["a", "b"], seen);
    }

    [Fact]
    public async Task A_failing_store_is_a_failed_attempt_not_an_exception()
    {
        var b = Candidate("b", new FailingStore());
        Assert.False(await b.TryAcquireOrRenewAsync(Ct));
        Assert.False(b.IsLeader);
    }

    [Theory]
    [InlineData(15, 10, 2, null)]
    [InlineData(10, 10, 2, "must exceed RenewDeadline")]
    [InlineData(15, 2, 2, "RenewDeadline")]
    [InlineData(15, 10, 0, "RetryPeriod must be positive")]
    [InlineData(15.5, 10, 2, "whole seconds")]
    public void Options_are_validated_with_messages_that_say_what_to_change(double lease, double renew, double retry, string? error)
    {
        var options = new LeaderElectionOptions
        {
            LeaseNamespace = "ns",
            LeaseName = "l",
            Identity = "me",
            LeaseDuration = TimeSpan.FromSeconds(lease),
            RenewDeadline = TimeSpan.FromSeconds(renew),
            RetryPeriod = TimeSpan.FromSeconds(retry),
        };
        if (error is null)
        {
            options.Validate();
        }
        else
        {
            Assert.Contains(error, Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_defaults_are_client_gos()
    {
        var options = new LeaderElectionOptions { LeaseNamespace = "ns", LeaseName = "l", Identity = "me" };
        Assert.Equal((TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2)), (options.LeaseDuration, options.RenewDeadline, options.RetryPeriod));
        Assert.True(options.ReleaseOnCancel);
    }

    private sealed class InterleavingStore(ILeaseStore inner) : ILeaseStore
    {
        public Action? BeforeNextUpdate { get; set; }

        public string Description => inner.Description;

        public Task<Lease?> GetAsync(CancellationToken cancellationToken) => inner.GetAsync(cancellationToken);

        public Task<Lease> CreateAsync(Lease lease, CancellationToken cancellationToken) => inner.CreateAsync(lease, cancellationToken);

        public Task<Lease> UpdateAsync(Lease lease, CancellationToken cancellationToken)
        {
            var hook = BeforeNextUpdate;
            BeforeNextUpdate = null;
            hook?.Invoke();
            return inner.UpdateAsync(lease, cancellationToken);
        }
    }

    private sealed class FailingStore : ILeaseStore
    {
        public string Description => "failing";

        public Task<Lease?> GetAsync(CancellationToken cancellationToken) => throw new HttpRequestException("connection refused");

        public Task<Lease> CreateAsync(Lease lease, CancellationToken cancellationToken) => throw new ForbiddenException("no");

        public Task<Lease> UpdateAsync(Lease lease, CancellationToken cancellationToken) => throw new ForbiddenException("no");
    }
}
