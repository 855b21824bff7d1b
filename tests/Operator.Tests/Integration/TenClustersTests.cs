using System.Diagnostics;
using Xunit;

namespace DataCluster.Operator.Tests.Integration;

/// <summary>Many clusters at once: a report of how long ten take to converge, not a timed assertion.</summary>
[Collection(OperatorCollection.Name)]
public sealed class TenClustersTests(OperatorFixture fixture)
{
    [Fact]
    public async Task Ten_DataClusters_converge_and_the_time_it_took_is_reported()
    {
        await fixture.RequireOperatorAsync();
        var ns = await fixture.CreateNamespaceAsync("ten");
        await using var simulation = new Simulation(fixture, ns);
        var names = Enumerable.Range(0, 10).Select(i => $"c{i}").ToList();
        var start = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(names.Select(name => Clusters.CreateAsync(fixture.Admin, Clusters.New(ns, name, s => s.Partitions = 64))));
        foreach (var name in names)
        {
            await Converge.ReadyAsync(fixture, ns, name, 3);
        }

        clock.Stop();
        var writes = fixture.OperatorWrites(ns, since: start);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Ten DataClusters (30 members, kubelet and agents simulated) converged to Ready in {clock.Elapsed.TotalSeconds:0.0} s; the operator made {writes.Count} writes on the way ({string.Join(", ", writes.GroupBy(w => w.Resource + (w.Subresource.Length > 0 ? "/" + w.Subresource : "")).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"))}).");
    }
}
