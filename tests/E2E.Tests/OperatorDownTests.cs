using System.Diagnostics;
using DataCluster.E2E.Tests.Support;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.E2E.Tests;

/// <summary>The data plane does not need the control plane to survive a crash.</summary>
public sealed class OperatorDownTests(E2EFixture fixture)
{
    [Fact]
    public async Task With_the_operator_stopped_the_agents_still_move_a_crashed_members_partitions()
    {
        await using var dc = await TestCluster.CreateAsync(fixture, "nooperator", 3);
        var members = dc.Members(3);
        var before = (await dc.AgreedRingAsync(members)).Values.First();
        var victim = members.Last(m => m != before.Leader);
        var survivors = members.Where(m => m != victim).ToList();

        await fixture.Cluster.StopOperatorAsync();
        try
        {
            var clock = Stopwatch.StartNew();
            await dc.Cluster.Node.CrashAsync(dc.Namespace, victim);
            var after = await Eventually.UntilAsync(
                () => dc.AgreementAsync(survivors, r => r.Epoch > before.Epoch),
                TimeSpan.FromSeconds(60),
                $"the survivors serve an epoch after {before.Epoch} without {victim} while the operator is stopped",
                dc.Diagnostics);

            Assert.False(fixture.Cluster.OperatorRunning);
            var published = await dc.AssignmentAsync();
            Assert.NotNull(published);
            Assert.DoesNotContain(victim, published.Members);
            Report.Line($"operator stopped, SIGKILL of member {victim}: the agents published epoch {after.Values.First().Epoch} without it after {clock.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            await fixture.Cluster.StartOperatorAsync(TestContext.Current.CancellationToken);
        }
    }
}
