using DataCluster.Kube.Watch;

namespace DataCluster.Kube.Tests.Watch;

public sealed class BackoffTests
{
    [Fact]
    public void Delays_double_within_jitter_bounds_up_to_the_cap_and_reset_on_success()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), new Random(42));
        for (var round = 0; round < 3; round++)
        {
            for (var attempt = 0; attempt < 12; attempt++)
            {
                var ceiling = Math.Min(2000, 100 * Math.Pow(2, attempt));
                var delay = backoff.Next().TotalMilliseconds;
                Assert.InRange(delay, ceiling / 2, ceiling);
            }

            backoff.Reset();
            Assert.Equal(0, backoff.Attempts);
        }
    }

    [Fact]
    public void Jitter_spreads_clients_that_fail_together()
    {
        var delays = Enumerable.Range(0, 50).Select(seed => new Backoff(random: new Random(seed)).Next()).Distinct().Count();
        Assert.True(delays > 40);
    }

    [Fact]
    public void Many_failures_never_overflow()
    {
        var backoff = new Backoff();
        for (var i = 0; i < 10_000; i++)
        {
            Assert.InRange(backoff.Next(), Backoff.DefaultInitial / 2, Backoff.DefaultMax);
        }
    }

    [Fact]
    public void Nonsense_bounds_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
    }
}
