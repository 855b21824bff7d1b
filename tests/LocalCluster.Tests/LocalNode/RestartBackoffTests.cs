using DataCluster.LocalCluster.LocalNode;
using Xunit;

namespace DataCluster.LocalCluster.Tests.LocalNode;

public sealed class RestartBackoffTests
{
    private static readonly TimeSpan Briefly = TimeSpan.FromSeconds(1);

    [Fact]
    public void Delays_double_from_ten_seconds_and_stop_at_five_minutes()
    {
        var backoff = new RestartBackoff();

        var delays = Enumerable.Range(0, 8).Select(_ => backoff.Next(Briefly).TotalSeconds).ToArray();

        Assert.Equal([10, 20, 40, 80, 160, 300, 300, 300], delays);
    }

    [Fact]
    public void A_container_that_ran_ten_minutes_starts_over_at_the_first_delay()
    {
        var backoff = new RestartBackoff();
        backoff.Next(Briefly);
        backoff.Next(Briefly);
        backoff.Next(Briefly);

        Assert.Equal(TimeSpan.FromSeconds(10), backoff.Next(TimeSpan.FromMinutes(10)));
        Assert.Equal(TimeSpan.FromSeconds(20), backoff.Next(TimeSpan.FromMinutes(9)));
    }

    [Fact]
    public void Custom_bounds_are_honoured_and_nonsense_is_rejected()
    {
        var backoff = new RestartBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));

        Assert.Equal([1, 2, 3, 3], Enumerable.Range(0, 4).Select(_ => backoff.Next(Briefly).TotalSeconds));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RestartBackoff(TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RestartBackoff(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)));
    }
}
