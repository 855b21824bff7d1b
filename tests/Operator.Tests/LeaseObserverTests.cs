using DataCluster.Kube.Models;
using DataCluster.Operator.Controllers;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace DataCluster.Operator.Tests;

public class LeaseObserverTests
{
    private static readonly DateTimeOffset T0 = new(2025, 6, 1, 8, 0, 0, TimeSpan.Zero);

    private static Lease Lease(DateTimeOffset? renewed) => new()
    {
        Metadata = new ObjectMeta { Namespace = "ns", Name = "demo-member-0" },
        Spec = new LeaseSpec { HolderIdentity = "demo-0", RenewTime = renewed, LeaseDurationSeconds = 6 },
    };

    [Fact]
    public void A_renewal_counts_from_when_it_was_seen_not_from_the_remote_clock()
    {
        var time = new FakeTimeProvider(T0);
        var observer = new LeaseObserver(time);
        observer.OnAdd(Lease(T0.AddSeconds(-1)));

        // The member's clock runs an hour behind; its renewal is seen now.
        time.Advance(TimeSpan.FromSeconds(2));
        var renewed = Lease(T0.AddHours(-1));
        observer.OnUpdate(Lease(T0.AddSeconds(-1)), renewed);

        Assert.Equal(T0.AddSeconds(2), observer.ObservedRenewTime(renewed));
    }

    [Fact]
    public void On_first_sight_the_remote_time_is_trusted_but_never_beyond_now()
    {
        var time = new FakeTimeProvider(T0);
        var observer = new LeaseObserver(time);
        var old = Lease(T0.AddMinutes(-10));
        var ahead = Lease(T0.AddMinutes(10));
        ahead.Metadata.Name = "demo-member-1";
        observer.OnAdd(old);
        observer.OnAdd(ahead);

        Assert.Equal(T0.AddMinutes(-10), observer.ObservedRenewTime(old));
        Assert.Equal(T0, observer.ObservedRenewTime(ahead));
        Assert.Null(observer.ObservedRenewTime(Lease(null)));
    }

    [Fact]
    public void An_update_that_does_not_change_renewTime_keeps_the_observation()
    {
        var time = new FakeTimeProvider(T0);
        var observer = new LeaseObserver(time);
        var lease = Lease(T0);
        observer.OnAdd(lease);
        time.Advance(TimeSpan.FromSeconds(30));

        observer.OnUpdate(lease, Lease(T0));

        Assert.Equal(T0, observer.ObservedRenewTime(Lease(T0)));
    }
}
