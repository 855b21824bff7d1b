using DataCluster.Kube;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.Operator.Controllers;
using DataCluster.Operator.Tests.InMemory;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace DataCluster.Operator.Tests;

/// <summary>
/// Read-your-writes: a reader of a lagging informer cache sees what this process wrote, and the
/// cache again as soon as it has caught up.
/// </summary>
public class ReadYourWritesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string Kind = InMemoryStore.KindOf(KubeResources.ConfigMaps);

    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryStore _store;
    private readonly InMemoryCache<ConfigMap> _cache;
    private readonly WrittenObjects _written;
    private readonly RecordingKubeWriter _writer;
    private readonly ReadYourWritesCache<ConfigMap> _reader;

    public ReadYourWritesTests()
    {
        _store = new InMemoryStore(_time);
        _cache = new InMemoryCache<ConfigMap>(_store, KubeResources.ConfigMaps);
        _written = new WrittenObjects(_time);
        var api = new InMemoryApi(_store);
        _writer = new RecordingKubeWriter(api, api, _written);
        _reader = new ReadYourWritesCache<ConfigMap>(_cache, KubeResources.ConfigMaps, _written);
    }

    private static ConfigMap Map(string value, string name = "settings", string? resourceVersion = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "shop", ResourceVersion = resourceVersion },
        Data = new() { ["value"] = value },
    };

    /// <summary>Someone else created the maps (value v1); the cache has them; from now on the cache lags.</summary>
    private void ExistingMapsInALaggingCache(params string[] names)
    {
        foreach (var name in names.DefaultIfEmpty("settings"))
        {
            _store.Create(Kind, InMemoryStore.Write(KubeResources.ConfigMaps, Map("v1", name)));
        }

        _store.Hold(Kind);
    }

    [Fact]
    public async Task A_write_is_read_back_while_the_cache_still_shows_the_older_version()
    {
        ExistingMapsInALaggingCache();

        await _writer.UpdateAsync(KubeResources.ConfigMaps, Map("v2"), Ct);

        Assert.Equal("v1", _cache.Get("shop", "settings")!.Data!["value"]);
        Assert.Equal("v2", _reader.Get("shop", "settings")!.Data!["value"]);
    }

    [Fact]
    public async Task Once_the_cache_shows_the_write_the_cache_answers_and_the_write_is_forgotten()
    {
        ExistingMapsInALaggingCache();
        await _writer.UpdateAsync(KubeResources.ConfigMaps, Map("v2"), Ct);

        _store.CatchUp();

        Assert.Equal("v2", _reader.Get("shop", "settings")!.Data!["value"]);
        Assert.Equal(0, _written.Count);
    }

    [Fact]
    public async Task A_newer_version_written_by_someone_else_wins_over_our_write()
    {
        ExistingMapsInALaggingCache();
        await _writer.UpdateAsync(KubeResources.ConfigMaps, Map("v2"), Ct);
        _store.Replace(Kind, InMemoryStore.Write(KubeResources.ConfigMaps, Map("theirs")));

        _store.CatchUp();

        Assert.Equal("theirs", _reader.Get("shop", "settings")!.Data!["value"]);
    }

    [Fact]
    public async Task A_cache_that_does_not_show_the_object_wins_over_our_write()
    {
        _store.Hold(Kind);

        await _writer.CreateAsync(KubeResources.ConfigMaps, Map("v1"), Ct);

        Assert.Null(_reader.Get("shop", "settings"));
        Assert.Equal(1, _written.Count);
    }

    [Fact]
    public void The_cache_wins_when_a_resourceVersion_is_not_an_integer()
    {
        _written.Record(KubeResources.ConfigMaps, Map("ours", resourceVersion: "b7"));

        var newest = _written.Newest(KubeResources.ConfigMaps, Map("cached", resourceVersion: "a3"));

        Assert.Equal("cached", newest!.Data!["value"]);
    }

    [Fact]
    public async Task A_delete_forgets_our_write_and_a_failed_write_records_nothing()
    {
        ExistingMapsInALaggingCache("settings", "other");
        await _writer.UpdateAsync(KubeResources.ConfigMaps, Map("v2"), Ct);
        await Assert.ThrowsAsync<ConflictException>(() => _writer.UpdateAsync(KubeResources.ConfigMaps, Map("v2", "other", resourceVersion: "1"), Ct));
        Assert.Equal(1, _written.Count);

        await _writer.DeleteAsync(KubeResources.ConfigMaps, "shop", "settings", cancellationToken: Ct);

        Assert.Equal(0, _written.Count);
        Assert.Equal("v1", _reader.Get("shop", "settings")!.Data!["value"]);
    }

    [Fact]
    public async Task A_write_the_cache_never_shows_is_forgotten_after_the_expiry()
    {
        ExistingMapsInALaggingCache();
        await _writer.UpdateAsync(KubeResources.ConfigMaps, Map("v2"), Ct);

        _time.Advance(WrittenObjects.Expiry);

        Assert.Equal("v1", _reader.Get("shop", "settings")!.Data!["value"]);
        Assert.Equal(0, _written.Count);
    }

    [Fact]
    public async Task A_list_shows_our_writes_in_place_of_the_cached_versions_and_adds_nothing()
    {
        ExistingMapsInALaggingCache("a", "b");
        await _writer.UpdateAsync(KubeResources.ConfigMaps, Map("a2", "a"), Ct);
        await _writer.CreateAsync(KubeResources.ConfigMaps, Map("c1", "c"), Ct);

        var listed = _reader.List("shop");

        Assert.Equal(["a2", "v1"], listed.Select(m => m.Data!["value"]));
    }
}
