using DataCluster.Agent.Assignments;
using DataCluster.Kube.Errors;
using Xunit;

namespace DataCluster.Agent.Tests.Assignments;

/// <summary>
/// What every <see cref="IAssignmentStore"/> must do, as the publishing leader relies on it: a
/// missing ConfigMap reads as null; a write is optimistic (it lands only at the version read,
/// and then no other write from that read does); a write sets its keys and keeps the others;
/// a write to a ConfigMap deleted since the read conflicts, as a changed one does. Run against
/// each implementation by a subclass.
/// </summary>
public abstract class AssignmentStoreContract
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A store of its own; its ConfigMap exists (with no data) when <paramref name="exists"/>.</summary>
    protected abstract Task<IAssignmentStore> CreateStoreAsync(bool exists = true);

    /// <summary>Sets keys as someone else would (another leader, a human), making a new version.</summary>
    protected abstract Task WriteAsSomeoneElseAsync(IReadOnlyDictionary<string, string> data);

    /// <summary>Deletes the ConfigMap behind the store's back.</summary>
    protected abstract Task DeleteAsync();

    private static Dictionary<string, string> Data(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    [Fact]
    public async Task A_missing_ConfigMap_reads_as_null()
    {
        var store = await CreateStoreAsync(exists: false);

        Assert.Null(await store.ReadAsync(Ct));
    }

    [Fact]
    public async Task A_ConfigMap_without_data_reads_as_empty_with_a_version_to_write_against()
    {
        var store = await CreateStoreAsync();

        var read = await store.ReadAsync(Ct);

        Assert.NotNull(read);
        Assert.Empty(read.Data);
        Assert.False(string.IsNullOrEmpty(read.ResourceVersion));
    }

    [Fact]
    public async Task A_write_at_the_version_read_sets_its_keys_keeps_the_others_and_makes_a_new_version()
    {
        var store = await CreateStoreAsync();
        await WriteAsSomeoneElseAsync(Data(("note", "kept"), ("epoch", "1")));
        var read = (await store.ReadAsync(Ct))!;

        var written = await store.WriteAsync(Data(("epoch", "2"), ("assignment", "A")), read.ResourceVersion, Ct);

        var after = (await store.ReadAsync(Ct))!;
        Assert.NotEqual(read.ResourceVersion, written.ResourceVersion);
        Assert.Equal(written.ResourceVersion, after.ResourceVersion);
        Assert.Equal(Data(("note", "kept"), ("epoch", "2"), ("assignment", "A")), after.Data);
        Assert.Equal(after.Data, written.Data);
    }

    [Fact]
    public async Task A_write_at_a_version_someone_else_replaced_conflicts_and_stores_nothing()
    {
        var store = await CreateStoreAsync();
        var read = (await store.ReadAsync(Ct))!;
        await WriteAsSomeoneElseAsync(Data(("epoch", "5")));

        await Assert.ThrowsAsync<ConflictException>(() => store.WriteAsync(Data(("epoch", "2")), read.ResourceVersion, Ct));

        Assert.Equal("5", (await store.ReadAsync(Ct))!.Data["epoch"]);
    }

    [Fact]
    public async Task A_second_write_from_the_same_read_conflicts()
    {
        var store = await CreateStoreAsync();
        var read = (await store.ReadAsync(Ct))!;
        await store.WriteAsync(Data(("epoch", "2")), read.ResourceVersion, Ct);

        await Assert.ThrowsAsync<ConflictException>(() => store.WriteAsync(Data(("epoch", "3")), read.ResourceVersion, Ct));

        Assert.Equal("2", (await store.ReadAsync(Ct))!.Data["epoch"]);
    }

    [Fact]
    public async Task A_write_after_the_ConfigMap_was_deleted_conflicts()
    {
        var store = await CreateStoreAsync();
        var read = (await store.ReadAsync(Ct))!;
        await DeleteAsync();

        await Assert.ThrowsAsync<ConflictException>(() => store.WriteAsync(Data(("epoch", "2")), read.ResourceVersion, Ct));

        Assert.Null(await store.ReadAsync(Ct));
    }
}
