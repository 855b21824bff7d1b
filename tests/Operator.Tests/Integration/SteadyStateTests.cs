using DataCluster.Kube;
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

    [Fact]
    public async Task After_convergence_the_operator_writes_nothing_for_60_seconds_while_agents_keep_renewing()
    {
        fixture.RequireControlPlane();
        var ns = await fixture.CreateNamespaceAsync("steady");
        await using var simulation = new Simulation(fixture, ns);
        await Clusters.CreateAsync(fixture.Admin, Clusters.New(ns, "steady"));
        await Converge.ReadyAsync(fixture, ns, "steady", 3);
        await Converge.QuietAsync(fixture, ns, Quiet);

        var start = DateTimeOffset.UtcNow;
        var reconcilesBefore = fixture.Operator!.Reconciles;

        // The measurement window itself: time passing is what is under test, not a synchronisation.
        await Task.Delay(Window, TestContext.Current.CancellationToken);

        var writes = fixture.OperatorWrites(ns, since: start);
        var renewals = Testing.ControlPlane.AuditLog.Read(fixture.Plane.AuditLogPath)
            .Count(e => e.Namespace == ns && e.Resource == "leases" && e.Verb == "update" && e.Time >= start);
        var reconciles = fixture.Operator!.Reconciles - reconcilesBefore;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Steady state, {Window.TotalSeconds:0} s: {writes.Count} operator writes; meanwhile {renewals} Lease renewals by the agents and {reconciles} reconciles.");
        Assert.True(writes.Count == 0, $"The operator wrote during steady state:\n{Converge.Describe(writes)}");
        Assert.True(renewals > 0 && reconciles > 0, "Nothing happened during the window, so it shows nothing.");
    }

    [Fact]
    public async Task Restarting_the_operator_changes_nothing()
    {
        fixture.RequireControlPlane();
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
        var clusters = (await fixture.Admin.ListAsync(Api.DataClusterResource.Type, null, cancellationToken: TestContext.Current.CancellationToken)).Items.Count;
        await Wait.UntilAsync(() => restarted.Reconciles >= clusters && restarted.Runtime.Controller?.QueueDepth == 0,
            Converge.Timeout, $"the restarted operator reconciled all {clusters} DataClusters", () => fixture.OperatorLogTail);
        await Converge.QuietAsync(fixture, ns, Quiet);

        var writes = fixture.OperatorWrites(ns, since: start);
        var after = await Clusters.GetAsync(fixture.Admin, ns, "restart");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Operator restart: {writes.Count} operator writes in the cluster's namespace; the new replica ran {restarted.Reconciles} reconciles over {clusters} DataClusters.");
        Assert.True(writes.Count == 0, $"The restarted operator wrote:\n{Converge.Describe(writes)}");
        Assert.Equal(before!.Metadata.ResourceVersion, after!.Metadata.ResourceVersion);
    }
}
