using System.Text.Json.Nodes;
using DataCluster.Kube.Client;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.Testing;
using static DataCluster.Kube.Tests.Integration.Api;

namespace DataCluster.Kube.Tests.Integration;

public sealed class CrudTests(ControlPlaneFixture fixture)
{
    private static ConfigMap NewConfigMap(string ns, string name, Dictionary<string, string>? data = null, Dictionary<string, string>? labels = null) => new()
    {
        Metadata = new ObjectMeta { Namespace = ns, Name = name, Labels = labels },
        Data = data ?? new Dictionary<string, string> { ["k"] = "v" },
    };

    [Fact]
    public async Task Create_get_update_list_and_delete_round_trip()
    {
        var ns = await fixture.CreateNamespaceAsync("crud");
        using var client = Admin(fixture);
        var type = KubeResources.ConfigMaps;

        var created = await client.CreateAsync(type, NewConfigMap(ns, "one", labels: new() { ["app"] = "demo" }), Ct);
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));

        var read = await client.GetAsync(type, ns, "one", Ct);
        Assert.NotNull(read);
        Assert.Equal("v", read.Data!["k"]);
        Assert.Equal(created.Metadata.Uid, read.Metadata.Uid);

        read.Data["k"] = "changed";
        var updated = await client.UpdateAsync(type, read, Ct);
        Assert.Equal("changed", updated.Data!["k"]);
        Assert.NotEqual(created.Metadata.ResourceVersion, updated.Metadata.ResourceVersion);

        var list = await client.ListAsync(type, ns, cancellationToken: Ct);
        Assert.Contains(list.Items, c => c.Metadata.Name == "one" && c.Data!["k"] == "changed");
        Assert.False(string.IsNullOrEmpty(list.Metadata.ResourceVersion));

        await client.DeleteAsync(type, ns, "one", cancellationToken: Ct);
        Assert.Null(await client.GetAsync(type, ns, "one", Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => client.DeleteAsync(type, ns, "one", cancellationToken: Ct));
        Assert.False(await client.DeleteIfExistsAsync(type, ns, "one", cancellationToken: Ct));
    }

    [Fact]
    public async Task Update_with_a_stale_resourceVersion_raises_Conflict()
    {
        var ns = await fixture.CreateNamespaceAsync("conflict");
        using var client = Admin(fixture);
        var type = KubeResources.ConfigMaps;
        var first = await client.CreateAsync(type, NewConfigMap(ns, "c"), Ct);
        var stale = await client.GetAsync(type, ns, "c", Ct);

        first.Data!["k"] = "first writer";
        await client.UpdateAsync(type, first, Ct);

        stale!.Data!["k"] = "second writer";
        var error = await Assert.ThrowsAsync<ConflictException>(() => client.UpdateAsync(type, stale, Ct));
        Assert.Contains("the object has been modified", error.Message, StringComparison.Ordinal);
        Assert.Equal("Conflict", error.Reason);
        Assert.Equal("first writer", (await client.GetAsync(type, ns, "c", Ct))!.Data!["k"]);
    }

    [Fact]
    public async Task Creating_a_taken_name_raises_AlreadyExists_and_invalid_objects_raise_Invalid_with_causes()
    {
        var ns = await fixture.CreateNamespaceAsync("errors");
        using var client = Admin(fixture);
        await client.CreateAsync(KubeResources.ConfigMaps, NewConfigMap(ns, "taken"), Ct);

        var exists = await Assert.ThrowsAsync<AlreadyExistsException>(() => client.CreateAsync(KubeResources.ConfigMaps, NewConfigMap(ns, "taken"), Ct));
        Assert.Contains("\"taken\" already exists", exists.Message, StringComparison.Ordinal);

        var invalid = await Assert.ThrowsAsync<InvalidException>(() => client.CreateAsync(KubeResources.ConfigMaps, NewConfigMap(ns, "Not_A_Valid_Name"), Ct));
        Assert.Contains("Not_A_Valid_Name", invalid.Message, StringComparison.Ordinal);
        Assert.Contains(invalid.Causes, c => c.Field == "metadata.name");
    }

    [Fact]
    public async Task List_filters_by_label_and_field_selectors_and_pages_with_continue()
    {
        var ns = await fixture.CreateNamespaceAsync("list");
        using var client = Admin(fixture);
        var type = KubeResources.ConfigMaps;
        for (var i = 0; i < 5; i++)
        {
            await client.CreateAsync(type, NewConfigMap(ns, $"cm-{i}", labels: new() { ["parity"] = i % 2 == 0 ? "even" : "odd" }), Ct);
        }

        var even = await client.ListAsync(type, ns, new ListOptions { LabelSelector = "parity=even" }, Ct);
        Assert.Equal(["cm-0", "cm-2", "cm-4"], even.Items.Select(c => c.Metadata.Name).Order());

        var notOdd = await client.ListAsync(type, ns, new ListOptions { LabelSelector = "parity notin (odd)" }, Ct);
        Assert.Equal(3, notOdd.Items.Count(c => c.Metadata.Name!.StartsWith("cm-", StringComparison.Ordinal)));

        var byName = await client.ListAsync(type, ns, new ListOptions { FieldSelector = "metadata.name=cm-3" }, Ct);
        Assert.Equal("cm-3", Assert.Single(byName.Items).Metadata.Name);

        var page = await client.ListAsync(type, ns, new ListOptions { LabelSelector = "parity", Limit = 2 }, Ct);
        Assert.Equal(2, page.Items.Count);
        Assert.False(string.IsNullOrEmpty(page.Metadata.Continue));

        var all = await client.ListAllAsync(type, ns, new ListOptions { LabelSelector = "parity", Limit = 2 }, Ct);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"cm-{i}"), all.Items.Select(c => c.Metadata.Name).Order());
    }

    [Fact]
    public async Task Merge_patch_sets_and_removes_fields_and_delete_honours_preconditions()
    {
        var ns = await fixture.CreateNamespaceAsync("patch");
        using var client = Admin(fixture);
        var type = KubeResources.ConfigMaps;
        var created = await client.CreateAsync(type, NewConfigMap(ns, "p", new() { ["keep"] = "1", ["drop"] = "2" }), Ct);

        var patched = await client.MergePatchAsync(type, ns, "p", new JsonObject
        {
            ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["patched"] = "yes" } },
            ["data"] = new JsonObject { ["drop"] = null, ["added"] = "3" },
        }, Ct);
        Assert.Equal(new Dictionary<string, string> { ["keep"] = "1", ["added"] = "3" }, patched.Data);
        Assert.Equal("yes", patched.Metadata.Labels!["patched"]);

        var raw = await client.MergePatchAsync(type, ns, "p", """{"data":{"raw":"4"}}"""u8.ToArray(), Ct);
        Assert.Equal("4", raw.Data!["raw"]);

        await Assert.ThrowsAsync<ConflictException>(() => client.DeleteAsync(type, ns, "p", new DeleteOptions { PreconditionUid = Guid.NewGuid().ToString() }, Ct));
        await Assert.ThrowsAsync<ConflictException>(() => client.DeleteAsync(type, ns, "p", new DeleteOptions { PreconditionResourceVersion = created.Metadata.ResourceVersion }, Ct));
        await client.DeleteAsync(type, ns, "p", new DeleteOptions
        {
            PreconditionUid = created.Metadata.Uid,
            PreconditionResourceVersion = raw.Metadata.ResourceVersion,
            PropagationPolicy = PropagationPolicy.Background, // no garbage collector runs here to finish a foreground delete
            GracePeriodSeconds = 0,
        }, Ct);
        await Eventually.UntilAsync(async () => await client.GetAsync(type, ns, "p", Ct) is null, TimeSpan.FromSeconds(30), "the delete finished");
    }
}
