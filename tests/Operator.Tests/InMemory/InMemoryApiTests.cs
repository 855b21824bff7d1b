using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace DataCluster.Operator.Tests.InMemory;

/// <summary>The in-memory API behaves like the API server where the reconciler tests rely on it.</summary>
public class InMemoryApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly InMemoryApi _api = new(new InMemoryStore(new FakeTimeProvider()));

    private static StatefulSet Set(int replicas, Dictionary<string, string>? labels = null, string? resourceVersion = null) => new()
    {
        Metadata = new ObjectMeta { Name = "demo", Namespace = "shop", Labels = labels, ResourceVersion = resourceVersion },
        Spec = new StatefulSetSpec { Replicas = replicas, ServiceName = "demo-peers" },
    };

    [Fact]
    public async Task An_update_with_a_stale_resourceVersion_is_a_conflict()
    {
        var created = await _api.CreateAsync(KubeResources.StatefulSets, Set(3), Ct);
        await _api.UpdateAsync(KubeResources.StatefulSets, Set(4, resourceVersion: created.Metadata.ResourceVersion), Ct);

        await Assert.ThrowsAsync<ConflictException>(() => _api.UpdateAsync(KubeResources.StatefulSets, Set(5, resourceVersion: created.Metadata.ResourceVersion), Ct));
        Assert.Equal(4, (await _api.GetAsync(KubeResources.StatefulSets, "shop", "demo", Ct))!.Spec.Replicas);
    }

    [Fact]
    public async Task Apply_keeps_fields_it_was_not_sent_and_removes_those_its_field_manager_gave_up()
    {
        var apply = new ApplyOptions("operator", Force: true);
        await _api.ApplyAsync(KubeResources.StatefulSets, Set(3, new() { ["ours"] = "1", ["dropped"] = "1" }), apply, Ct);
        await _api.MergePatchAsync(KubeResources.StatefulSets, "shop", "demo", System.Text.Json.Nodes.JsonNode.Parse("""{"metadata":{"labels":{"theirs":"1"}}}""")!, Ct);
        var withStatus = (await _api.GetAsync(KubeResources.StatefulSets, "shop", "demo", Ct))!;
        withStatus.Status = new StatefulSetStatus { Replicas = 3 };
        await _api.UpdateStatusAsync(KubeResources.StatefulSets, withStatus, Ct);

        var applied = await _api.ApplyAsync(KubeResources.StatefulSets, Set(5, new() { ["ours"] = "2" }), apply, Ct);

        Assert.Equal(new Dictionary<string, string> { ["ours"] = "2", ["theirs"] = "1" }, applied.Metadata.Labels);
        Assert.Equal((5, 3), (applied.Spec.Replicas, applied.Status!.Replicas));
    }

    [Fact]
    public async Task A_write_that_changes_nothing_keeps_the_resourceVersion_and_only_spec_changes_move_the_generation()
    {
        var apply = new ApplyOptions("operator", Force: true);
        var first = await _api.ApplyAsync(KubeResources.StatefulSets, Set(3), apply, Ct);
        var again = await _api.ApplyAsync(KubeResources.StatefulSets, Set(3), apply, Ct);
        first.Status = new StatefulSetStatus { Replicas = 3 };
        var status = await _api.UpdateStatusAsync(KubeResources.StatefulSets, first, Ct);
        var scaled = await _api.ApplyAsync(KubeResources.StatefulSets, Set(4), apply, Ct);

        Assert.Equal(first.Metadata.ResourceVersion, again.Metadata.ResourceVersion);
        Assert.NotEqual(first.Metadata.ResourceVersion, status.Metadata.ResourceVersion);
        Assert.Equal((1L, 1L, 2L), (first.Metadata.Generation!.Value, status.Metadata.Generation!.Value, scaled.Metadata.Generation!.Value));
        Assert.Equal(4, _api.Writes.Count);
    }

    [Fact]
    public async Task A_status_update_changes_only_status_and_a_spec_update_keeps_it()
    {
        var created = await _api.CreateAsync(KubeResources.StatefulSets, Set(3), Ct);
        var statusWrite = Set(9, resourceVersion: created.Metadata.ResourceVersion);
        statusWrite.Status = new StatefulSetStatus { Replicas = 3 };
        var afterStatus = await _api.UpdateStatusAsync(KubeResources.StatefulSets, statusWrite, Ct);

        var afterSpec = await _api.UpdateAsync(KubeResources.StatefulSets, Set(4), Ct);

        Assert.Equal((3, 3), (afterStatus.Spec.Replicas!.Value, afterStatus.Status!.Replicas));
        Assert.Equal((4, 3), (afterSpec.Spec.Replicas!.Value, afterSpec.Status!.Replicas));
    }
}
