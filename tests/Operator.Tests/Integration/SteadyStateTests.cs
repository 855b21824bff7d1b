using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.Operator.Tests.Integration;

/// <summary>A converged cluster costs the API server no writes from the operator, across restarts too.</summary>
[Collection(OperatorCollection.Name)]
public sealed class SteadyStateTests(OperatorFixture fixture)
{
    /// <summary>The window the issue asks for.</summary>
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    /// <summary>Convergence ends when the operator has been silent this long.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Deletes the DataClusters earlier tests left behind (their simulated agents are gone, so
    /// their status still moves), making this cluster the only one and any operator write
    /// anywhere count against it.
    /// </summary>
    private async Task OnlyThisClusterAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        foreach (var cluster in (await fixture.Admin.ListAsync(Api.DataClusterResource.Tolerant, null, cancellationToken: ct)).Items)
        {
            await fixture.Admin.DeleteIfExistsAsync(Api.DataClusterResource.Type, cluster.Metadata.Namespace, cluster.Metadata.Name!, cancellationToken: ct);
        }

        await Eventually.UntilAsync(async () => (await fixture.Admin.ListAsync(Api.DataClusterResource.Tolerant, null, cancellationToken: ct)).Items.Count == 0,
            Converge.Timeout, "earlier tests' DataClusters are gone");
    }

    /// <summary>Every write of the operator's user since <paramref name="since"/>, except the renewals of its own leader-election Lease.</summary>
    private IReadOnlyList<LocalCluster.ControlPlane.AuditEvent> WritesAnywhere(DateTimeOffset since) =>
        [.. fixture.OperatorWrites(null, since).Where(e => !(e.Resource == "leases" && e.Name == Contracts.OperatorEnvironment.LeaderElectionLeaseName))];

    private int ElectionRenewals(DateTimeOffset since) =>
        fixture.OperatorWrites(null, since).Count(e => e.Resource == "leases" && e.Name == Contracts.OperatorEnvironment.LeaderElectionLeaseName);

    [Fact]
    public async Task After_convergence_the_operator_writes_nothing_for_60_seconds_while_agents_keep_renewing()
    {
        await fixture.RequireOperatorAsync();
        await OnlyThisClusterAsync();
        var ns = await fixture.CreateNamespaceAsync("steady");
        await using var simulation = new Simulation(fixture, ns);
        await Clusters.CreateAsync(fixture.Admin, Clusters.New(ns, "steady"));
        await Converge.ReadyAsync(fixture, ns, "steady", 3);
        await Converge.QuietAsync(fixture, ns, Quiet);

        var start = DateTimeOffset.UtcNow;
        var reconcilesBefore = fixture.Operator!.Reconciles;

        // The measurement window itself: time passing is what is under test, not a synchronisation.
        await Task.Delay(Window, TestContext.Current.CancellationToken);

        var writes = WritesAnywhere(start);
        var renewals = LocalCluster.ControlPlane.AuditLog.Read(fixture.Plane.AuditLogPath)
            .Count(e => e.Namespace == ns && e.Resource == "leases" && e.Verb == "update" && e.Time >= start);
        var reconciles = fixture.Operator!.Reconciles - reconcilesBefore;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Steady state, {Window.TotalSeconds:0} s: {writes.Count} operator writes to any object (besides {ElectionRenewals(start)} renewals of its own leader-election Lease); meanwhile {renewals} Lease renewals by the agents and {reconciles} reconciles.");
        Assert.True(writes.Count == 0, $"The operator wrote during steady state:\n{Converge.Describe(writes)}");
        Assert.True(renewals > 0 && reconciles > 0, "Nothing happened during the window, so it shows nothing.");
    }

    [Fact]
    public async Task Restarting_the_operator_changes_nothing()
    {
        await fixture.RequireOperatorAsync();
        await OnlyThisClusterAsync();
        var ns = await fixture.CreateNamespaceAsync("restart");
        await using var simulation = new Simulation(fixture, ns);
        await Clusters.CreateAsync(fixture.Admin, Clusters.New(ns, "restart"));
        await Converge.ReadyAsync(fixture, ns, "restart", 3);
        await Converge.QuietAsync(fixture, ns, Quiet);
        var before = await Clusters.GetAsync(fixture.Admin, ns, "restart");
        var start = DateTimeOffset.UtcNow;

        var restarted = await fixture.RestartOperatorAsync($"operator-{Guid.NewGuid().ToString("N")[..6]}");

        // The new replica has looked at every DataCluster of the API server (its first list queues
        // them all) and its queue has drained.
        var clusters = (await fixture.Admin.ListAsync(Api.DataClusterResource.Tolerant, null, cancellationToken: TestContext.Current.CancellationToken)).Items.Count;
        await Eventually.UntilAsync(() => restarted.Reconciles >= clusters && restarted.Runtime.Controller?.QueueDepth == 0,
            Converge.Timeout, $"the restarted operator reconciled all {clusters} DataClusters", () => fixture.OperatorLogTail);
        await Converge.QuietAsync(fixture, ns, Quiet);

        var writes = WritesAnywhere(start);
        var after = await Clusters.GetAsync(fixture.Admin, ns, "restart");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Operator restart: {writes.Count} operator writes to any object (besides {ElectionRenewals(start)} writes to its own leader-election Lease: release, acquire, renewals); the new replica ran {restarted.Reconciles} reconciles over {clusters} DataClusters.");
        Assert.True(writes.Count == 0, $"The restarted operator wrote:\n{Converge.Describe(writes)}");
        Assert.Equal(before!.Metadata.ResourceVersion, after!.Metadata.ResourceVersion);
    }
}
