using DataCluster.Agent.Leadership;
using Xunit;

namespace DataCluster.Agent.Tests.Leadership;

public sealed class ClusterLeadershipTests
{
    [Fact]
    public void The_defaults_give_a_6_s_lease_a_4_s_renew_deadline_and_a_2_s_retry_period()
    {
        var options = ClusterLeadership.Options("ns", "dc-leader", "dc-0", TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(2));

        Assert.Equal((6, 4, 2), ((int)options.LeaseDuration.TotalSeconds, (int)options.RenewDeadline.TotalSeconds, (int)options.RetryPeriod.TotalSeconds));
        Assert.True(options.ReleaseOnCancel);
    }

    [Fact]
    public void Every_lease_timing_the_agent_accepts_makes_valid_election_timing()
    {
        // The configuration reader accepts leases of 2-300 s and renew intervals of 1-60 s below the lease.
        for (var lease = 2; lease <= 300; lease++)
        {
            for (var renew = 1; renew < lease && renew <= 60; renew++)
            {
                var options = ClusterLeadership.Options("ns", "dc-leader", "dc-0", TimeSpan.FromSeconds(lease), TimeSpan.FromSeconds(renew));
                options.Validate();
                Assert.True(options.RetryPeriod <= TimeSpan.FromSeconds(renew));
            }
        }
    }
}
