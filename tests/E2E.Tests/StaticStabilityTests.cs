using DataCluster.Contracts;
using DataCluster.E2E.Tests.Support;
using Xunit;

namespace DataCluster.E2E.Tests;

/// <summary>
/// The API server frozen under write load. It runs on a local cluster of its own: after the
/// freeze the operator has lost its election Lease and exits (a kubelet would restart it), and
/// the control plane's controllers take a while to catch up, which the other tests should not
/// inherit.
/// </summary>
public sealed class StaticStabilityTests(OwnClusterFixture fixture) : IClassFixture<OwnClusterFixture>
{
    private const int Partitions = 16;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_the_API_server_frozen_for_60_s_writes_go_on_readiness_stays_and_no_partition_moves()
    {
        await using var dc = await TestCluster.CreateAsync(fixture, "wfreeze", 3, spec: s => s.Partitions = Partitions);
        var members = dc.Members(3);
        var before = (await dc.AgreedRingAsync(members)).Values.First();
        await using var writers = Writers.Start(dc, writers: 4, keysPerWriter: 8, CommitLevels.Quorum);
        await writers.WaitForAcknowledgementsAsync("the writers' first writes are acknowledged");
        var addresses = members.Select(dc.AddressOf).ToList();

        var notReady = new List<string>();
        var epochs = new HashSet<long>();
        var slices = new List<int>();
        dc.Cluster.Plane.FreezeApiServer();
        try
        {
            var start = writers.Elapsed;
            for (var slice = 1; slice <= 6; slice++)
            {
                while (writers.Elapsed < start + TimeSpan.FromSeconds(10 * slice))
                {
                    foreach (var (member, address) in members.Zip(addresses))
                    {
                        var readiness = await fixture.Agents.ReadinessAsync(address, Ct);
                        if (readiness is not { Ready: true })
                        {
                            notReady.Add($"{member} at {(writers.Elapsed - start).TotalSeconds:0} s: {readiness?.Reason ?? "no answer"}");
                        }

                        if ((await fixture.Agents.RingAsync(address, Ct))?.Epoch is { } epoch)
                        {
                            epochs.Add(epoch);
                        }
                    }

                    await Task.Delay(1000, Ct);
                }

                slices.Add(writers.AcknowledgedSince(start + TimeSpan.FromSeconds(10 * (slice - 1))) - writers.AcknowledgedSince(start + TimeSpan.FromSeconds(10 * slice)));
            }
        }
        finally
        {
            dc.Cluster.Plane.ThawApiServer();
        }

        Report.Line($"kube-apiserver frozen 60 s under QUORUM load: acknowledged writes per 10 s {string.Join(" ", slices)}; epochs served {string.Join(",", epochs)}; not-ready answers {notReady.Count}");
        Assert.All(slices, count => Assert.True(count > 0, $"a 10 s slice without acknowledged writes: {string.Join(" ", slices)}"));
        Assert.Empty(notReady);
        Assert.Equal([before.Epoch], epochs);

        await writers.StopAsync();
        var result = await CommittedLogs.CheckAsync(dc, writers.Checker);
        Assert.True(result.Ok, result.ToString());
    }
}
