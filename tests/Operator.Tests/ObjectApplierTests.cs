using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Models;
using DataCluster.Operator.Controllers;
using DataCluster.Testing.Fakes;
using Xunit;

namespace DataCluster.Operator.Tests;

public class ObjectApplierTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>ConfigMaps on a pretend server: GET and server-side apply, which stamps a new resourceVersion and a default.</summary>
    private sealed class Server : UnsupportedKubeClient
    {
        public Dictionary<string, ConfigMap> Stored { get; } = [];

        public List<string> Requests { get; } = [];

        private int _version = 100;

        public override Task<T?> GetAsync<T>(ResourceType<T> type, string? @namespace, string name, CancellationToken cancellationToken = default)
            where T : class
        {
            Requests.Add($"get {name}");
            return Task.FromResult((T?)(object?)Stored.GetValueOrDefault(name));
        }

        public override Task<T> ApplyAsync<T>(ResourceType<T> type, T obj, ApplyOptions options, CancellationToken cancellationToken = default)
        {
            Requests.Add($"apply {obj.Metadata.Name} as {options.FieldManager}{(options.Force ? " force" : "")}");
            var copy = type.Read(type.Serialize(obj));
            var map = (ConfigMap)(object)copy;
            map.Metadata.ResourceVersion = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
            map.Metadata.Annotations = new() { ["server/default"] = "added" };
            Stored[map.Metadata.Name!] = map;
            return Task.FromResult(copy);
        }
    }

    private static ConfigMap Desired(string value = "1", string owner = "uid-1") => new()
    {
        Metadata = new ObjectMeta
        {
            Name = "demo-x",
            Namespace = "ns",
            OwnerReferences = [new OwnerReference { ApiVersion = "datacluster.dev/v1alpha1", Kind = "DataCluster", Name = "demo", Uid = owner, Controller = true }],
        },
        Data = new() { ["k"] = value },
    };

    [Fact]
    public async Task A_missing_object_is_looked_up_then_applied_with_the_field_manager_and_force()
    {
        var server = new Server();
        var applier = new ObjectApplier(server, server, "datacluster-operator");

        var ensured = await applier.EnsureAsync(KubeResources.ConfigMaps, Desired(), null, "uid-1", null, Ct);

        Assert.Equal(EnsureResult.Applied, ensured.Result);
        Assert.Equal(["get demo-x", "apply demo-x as datacluster-operator force"], server.Requests);
    }

    [Fact]
    public async Task A_live_object_that_has_everything_desired_is_not_written()
    {
        var server = new Server();
        var applier = new ObjectApplier(server, server, "datacluster-operator");
        await applier.EnsureAsync(KubeResources.ConfigMaps, Desired(), null, "uid-1", null, Ct);
        server.Requests.Clear();

        var again = await applier.EnsureAsync(KubeResources.ConfigMaps, Desired(), server.Stored["demo-x"], "uid-1", null, Ct);
        var changed = await applier.EnsureAsync(KubeResources.ConfigMaps, Desired("2"), server.Stored["demo-x"], "uid-1", null, Ct);

        Assert.Equal(EnsureResult.Unchanged, again.Result);
        Assert.Equal(EnsureResult.Applied, changed.Result);
        Assert.Equal(["apply demo-x as datacluster-operator force"], server.Requests);
    }

    [Fact]
    public async Task A_repeat_of_the_last_apply_against_its_own_result_or_an_older_cached_version_is_skipped()
    {
        var server = new Server();
        var applier = new ObjectApplier(server, server, "datacluster-operator");
        await applier.EnsureAsync(KubeResources.ConfigMaps, Desired(), null, "uid-1", null, Ct);

        // The server dropped a field the comparison expects (as some versions drop fields), so
        // the comparison alone would write forever.
        var normalized = server.Stored["demo-x"];
        normalized.Data = new() { ["k"] = "normalized" };
        var stale = Desired("old");
        stale.Metadata.ResourceVersion = "50";
        server.Requests.Clear();

        Assert.Equal(EnsureResult.Unchanged, (await applier.EnsureAsync(KubeResources.ConfigMaps, Desired(), normalized, "uid-1", null, Ct)).Result);
        Assert.Equal(EnsureResult.Unchanged, (await applier.EnsureAsync(KubeResources.ConfigMaps, Desired(), stale, "uid-1", null, Ct)).Result);
        Assert.Empty(server.Requests);

        normalized.Metadata.ResourceVersion = "999"; // someone else changed it since
        Assert.Equal(EnsureResult.Applied, (await applier.EnsureAsync(KubeResources.ConfigMaps, Desired(), normalized, "uid-1", null, Ct)).Result);
    }

    [Fact]
    public async Task An_object_owned_by_someone_else_is_left_alone()
    {
        var server = new Server();
        server.Stored["demo-x"] = Desired(owner: "someone-else");
        var applier = new ObjectApplier(server, server, "datacluster-operator");

        var ensured = await applier.EnsureAsync(KubeResources.ConfigMaps, Desired(), null, "uid-1", null, Ct);

        Assert.Equal(EnsureResult.Blocked, ensured.Result);
        Assert.Equal(["get demo-x"], server.Requests);
    }
}
