using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Errors;
using Xunit;

namespace DataCluster.Operator.Tests.Integration;

/// <summary>The operator process: leader election between two replicas, exit on lost leadership, metrics and probes.</summary>
[Collection(OperatorCollection.Name)]
public sealed class OperatorProcessTests(OperatorFixture fixture)
{
    [Fact]
    public async Task A_second_replica_stands_by_ready_and_takes_over_when_the_leader_stops()
    {
        fixture.RequireControlPlane();
        var leader = fixture.Operator!;
        await using var standby = await fixture.StartOperatorAsync($"standby-{Guid.NewGuid().ToString("N")[..6]}", waitForLeadership: false);

        // Standing by: ready (so it is not restarted) but not leading, and says so on /metrics.
        await Wait.UntilAsync(async () => (await standby.GetAsync(standby.HealthUri("/readyz"))).Body.Contains("standing by", StringComparison.Ordinal),
            Converge.Timeout, "the standby reports ready while standing by", () => fixture.OperatorLogTail);
        Assert.False(standby.State.Leading);
        Assert.Contains("datacluster_operator_leader 0", (await standby.GetAsync(standby.MetricsUri)).Body, StringComparison.Ordinal);
        Assert.Equal(200, (await standby.GetAsync(standby.HealthUri("/healthz"))).Status);

        // Probes and metrics are served on their own addresses only.
        Assert.Equal(404, (await leader.GetAsync(new Uri($"http://{leader.Options.HealthProbeBindAddress}/metrics"))).Status);
        Assert.Equal(404, (await leader.GetAsync(new Uri($"http://{leader.Options.MetricsBindAddress}/readyz"))).Status);

        // A graceful stop releases the Lease; the standby takes over and reconciles.
        await leader.StopAsync();
        await Wait.UntilAsync(() => standby.IsLeadingWithSyncedCaches, Converge.Timeout, "the standby leads", () => fixture.OperatorLogTail);
        fixture.Adopt(standby);
        var ns = await fixture.CreateNamespaceAsync("failover");
        await using (var simulation = new Simulation(fixture, ns))
        {
            await Clusters.CreateAsync(fixture.Admin, Clusters.New(ns, "failover"));
            await Converge.ReadyAsync(fixture, ns, "failover", 3);
        }

        // The new leader's metrics: reconciles by result, durations, errors, queue depth, writes, leadership.
        var (status, metrics) = await standby.GetAsync(standby.MetricsUri);
        Assert.Equal(200, status);
        foreach (var expected in new[]
        {
            "datacluster_operator_reconcile_total{result=\"success\"}",
            "datacluster_operator_reconcile_duration_seconds_bucket{le=\"0.1\"}",
            "datacluster_operator_reconcile_errors_total ",
            "datacluster_operator_workqueue_depth ",
            "datacluster_operator_api_writes_total{verb=\"apply\",resource=\"statefulsets\"}",
            "datacluster_operator_leader 1",
        })
        {
            Assert.Contains(expected, metrics, StringComparison.Ordinal);
        }

        await leader.DisposeAsync();

        // Hand the role back to a fresh replica so the collection goes on as before.
        await fixture.RestartOperatorAsync($"operator-{Guid.NewGuid().ToString("N")[..6]}");
    }

    [Fact]
    public async Task A_replica_that_loses_its_Lease_stops_so_that_it_restarts_clean()
    {
        fixture.RequireControlPlane();
        var ct = TestContext.Current.CancellationToken;
        var leader = fixture.Operator!;

        // Another holder takes the Lease over (as after a partition in which the Lease expired).
        var lease = (await fixture.Admin.GetAsync(KubeResources.Leases, fixture.OperatorNamespace, OperatorEnvironment.LeaderElectionLeaseName, ct))!;
        while (true)
        {
            lease.Spec.HolderIdentity = "intruder";
            lease.Spec.RenewTime = DateTimeOffset.UtcNow;
            lease.Spec.AcquireTime = DateTimeOffset.UtcNow;
            try
            {
                await fixture.Admin.UpdateAsync(KubeResources.Leases, lease, ct);
                break;
            }
            catch (ConflictException)
            {
                lease = (await fixture.Admin.GetAsync(KubeResources.Leases, fixture.OperatorNamespace, OperatorEnvironment.LeaderElectionLeaseName, ct))!;
            }
        }

        await Wait.UntilAsync(() => leader.State.LostLeadership, Converge.Timeout, "the replica notices it lost the Lease", () => fixture.OperatorLogTail);
        Assert.False(leader.State.Leading);
        // It asks its host to stop (the process's run loop then exits with code 1).
        var lifetime = (Microsoft.Extensions.Hosting.IHostApplicationLifetime)leader.Services.GetService(typeof(Microsoft.Extensions.Hosting.IHostApplicationLifetime))!;
        await Wait.UntilAsync(() => lifetime.ApplicationStopping.IsCancellationRequested, Converge.Timeout, "the replica stops its host", () => fixture.OperatorLogTail);

        // A fresh replica takes over once the intruder's Lease expires.
        await fixture.RestartOperatorAsync($"operator-{Guid.NewGuid().ToString("N")[..6]}");
        Assert.True(fixture.Operator!.IsLeadingWithSyncedCaches);
    }
}
