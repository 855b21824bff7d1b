using System.Globalization;
using System.Text;
using DataCluster.Contracts;
using DataCluster.E2E.Tests.Support;
using DataCluster.Testing;
using DataCluster.LocalCluster.ControlPlane;
using DataCluster.LocalCluster;
using Xunit;

namespace DataCluster.E2E.Tests;

/// <summary>
/// API-server load at steady state: Lease writes and watch events per second grow with the
/// number of members, not with its square (only the leader agent watches every member Lease).
/// </summary>
public sealed class ApiLoadTests(E2EFixture fixture)
{
    private static readonly int[] Sizes = [3, 6, 10];

    /// <summary>Ten renew intervals: long enough that the rates are not dominated by where a renewal falls.</summary>
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(20);

    /// <summary>
    /// After a ring forms, the late joiners' first renewals and the operator's catch-up still
    /// run for a few seconds; they are not steady state.
    /// </summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(6);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Lease_writes_and_watch_events_grow_linearly_with_members()
    {
        await using var dc = await TestCluster.CreateAsync(fixture, "load", Sizes[0]);
        var agentUser = Cluster.AgentUser(dc.Namespace, dc.Name);
        var rows = new List<Row>();
        foreach (var size in Sizes)
        {
            if (size != Sizes[0])
            {
                await dc.ScaleAsync(size);
            }

            var members = dc.Members(size);
            var formed = (await dc.AgreedRingAsync(members)).Values.First();
            // Agents of earlier tests' namespaces would add to the cluster-wide watch counter.
            await Eventually.UntilAsync(
                () => Task.FromResult(fixture.Cluster.Node.Processes().All(p => p.Namespace == dc.Namespace)),
                TestCluster.Patience,
                "no other test's agents run",
                dc.Diagnostics);
            await Task.Delay(Settle, Ct);

            var watchBefore = await WatchEventsAsync();
            var start = DateTimeOffset.UtcNow;
            await Task.Delay(Window, Ct);
            var end = DateTimeOffset.UtcNow;
            var watchAfter = await WatchEventsAsync();

            var steady = await dc.AgreementAsync(members, r => r.Epoch == formed.Epoch);
            Assert.True(steady is not null, $"the ring changed during the measurement at {size} members\n{dc.Diagnostics()}");
            var requests = AuditLog.Read(fixture.Cluster.Plane.AuditLogPath).Where(e => e.Time >= start && e.Time < end).ToList();
            var seconds = (end - start).TotalSeconds;
            rows.Add(new Row(
                size,
                requests.Count(e => e.User == agentUser && e.Resource == "leases" && e.IsWrite) / seconds,
                requests.Count(e => e.User == agentUser) / seconds,
                // The operator's own leader-election renewals are its heartbeat, not reconciling.
                requests.Count(e => e.User == "operator" && e.IsWrite && !(e.Resource == "leases" && e.Name == OperatorEnvironment.LeaderElectionLeaseName)) / seconds,
                (watchAfter.Total - watchBefore.Total) / seconds,
                (watchAfter.Leases - watchBefore.Leases) / seconds));
        }

        var table = new StringBuilder("API load at steady state (per second, over ")
            .Append(Window.TotalSeconds.ToString(CultureInfo.InvariantCulture)).AppendLine(" s):")
            .AppendLine("members  lease writes  per member  agent requests  operator writes*  watch events  per member  (Lease kind)");
        foreach (var r in rows)
        {
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Members,7}  {r.LeaseWrites,12:0.00}  {r.LeaseWrites / r.Members,10:0.00}  {r.AgentRequests,14:0.00}  {r.OperatorWrites,16:0.00}  {r.WatchEvents,12:0.00}  {r.WatchEvents / r.Members,10:0.00}  {r.LeaseWatchEvents,12:0.00}"));
        }

        table.Append("* writes other than the renewals of its own leader-election Lease");
        Report.Line(table.ToString());
        var small = rows[0];
        var large = rows[^1];
        // Linear growth keeps the per-member rate flat; quadratic growth would multiply it by 5
        // from 3 to 10 members (by 3.3). A factor of 2 leaves room for noise and fixed costs.
        Assert.All(rows, r => Assert.True(r.LeaseWrites > 0, $"no Lease writes counted at {r.Members} members"));
        Assert.True(large.LeaseWrites / large.Members <= 2 * small.LeaseWrites / small.Members, $"Lease writes per member grew from {small.LeaseWrites / small.Members:0.00}/s to {large.LeaseWrites / large.Members:0.00}/s");
        Assert.True(large.WatchEvents / large.Members <= 2 * small.WatchEvents / small.Members, $"watch events per member grew from {small.WatchEvents / small.Members:0.00}/s to {large.WatchEvents / large.Members:0.00}/s");
    }

    /// <summary>apiserver_watch_events_total summed over all kinds, and for Leases alone.</summary>
    private async Task<(double Total, double Leases)> WatchEventsAsync()
    {
        var plane = fixture.Cluster.Plane;
        var text = await plane.Http.GetStringAsync(new Uri(plane.Server, "/metrics"), Ct);
        double total = 0, leases = 0;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith("apiserver_watch_events_total{", StringComparison.Ordinal))
            {
                continue;
            }

            var value = double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            total += value;
            if (line.Contains("kind=\"Lease\"", StringComparison.Ordinal))
            {
                leases += value;
            }
        }

        return (total, leases);
    }

    private sealed record Row(int Members, double LeaseWrites, double AgentRequests, double OperatorWrites, double WatchEvents, double LeaseWatchEvents);
}
