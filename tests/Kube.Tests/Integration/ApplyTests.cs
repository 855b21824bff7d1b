using DataCluster.Kube.Client;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.Testing;
using static DataCluster.Kube.Tests.Integration.Api;

namespace DataCluster.Kube.Tests.Integration;

public sealed class ApplyTests(ControlPlaneFixture fixture)
{
    private static ConfigMap Desired(string ns, Dictionary<string, string> data) => new()
    {
        Metadata = new ObjectMeta { Namespace = ns, Name = "applied" },
        Data = data,
    };

    [Fact]
    public async Task Applying_the_same_content_twice_changes_nothing()
    {
        var ns = await fixture.CreateNamespaceAsync("apply");
        using var client = Admin(fixture);
        var options = new ApplyOptions("datacluster-test");

        var first = await client.ApplyAsync(KubeResources.ConfigMaps, Desired(ns, new() { ["a"] = "1" }), options, Ct);
        var second = await client.ApplyAsync(KubeResources.ConfigMaps, Desired(ns, new() { ["a"] = "1" }), options, Ct);

        Assert.Equal(first.Metadata.ResourceVersion, second.Metadata.ResourceVersion);
        Assert.Equal("1", second.Data!["a"]);
    }

    [Fact]
    public async Task A_second_field_managers_fields_survive_and_contested_fields_need_force()
    {
        var ns = await fixture.CreateNamespaceAsync("apply");
        using var client = Admin(fixture);
        var type = KubeResources.ConfigMaps;

        await client.ApplyAsync(type, Desired(ns, new() { ["mine"] = "1" }), new ApplyOptions("manager-a"), Ct);
        await client.ApplyAsync(type, Desired(ns, new() { ["theirs"] = "2" }), new ApplyOptions("manager-b"), Ct);

        // A re-applies with a new value and without B's field: B's field stays.
        var merged = await client.ApplyAsync(type, Desired(ns, new() { ["mine"] = "3" }), new ApplyOptions("manager-a"), Ct);
        Assert.Equal(new Dictionary<string, string> { ["mine"] = "3", ["theirs"] = "2" }, merged.Data);

        // B claiming A's field conflicts, unless forced.
        var conflict = await Assert.ThrowsAsync<ConflictException>(() =>
            client.ApplyAsync(type, Desired(ns, new() { ["theirs"] = "2", ["mine"] = "b" }), new ApplyOptions("manager-b"), Ct));
        Assert.Contains("manager-a", conflict.Message, StringComparison.Ordinal);

        var forced = await client.ApplyAsync(type, Desired(ns, new() { ["theirs"] = "2", ["mine"] = "b" }), new ApplyOptions("manager-b", Force: true), Ct);
        Assert.Equal("b", forced.Data!["mine"]);

        // Fields a manager stops applying are removed only if it alone owned them.
        var dropped = await client.ApplyAsync(type, Desired(ns, new() { ["theirs"] = "2" }), new ApplyOptions("manager-b"), Ct);
        Assert.Equal(new Dictionary<string, string> { ["theirs"] = "2" }, dropped.Data);
    }
}
