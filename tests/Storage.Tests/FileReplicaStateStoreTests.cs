using System.Buffers.Binary;
using DataCluster.Storage;
using DataCluster.Storage.Format;

namespace DataCluster.Storage.Tests;

/// <summary>The replica state file: round trips, merges, survives a torn save, and names itself when damaged.</summary>
public sealed class FileReplicaStateStoreTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly ReplicaState Promised = new(7, "member-2", ["member-2", "member-0", "mémber-5"], 1234, 1200, [["member-0", "member-1", "member-3"], ["member-1"]], ["member-0", "member-2", "member-4"]);

    [Fact]
    public void A_store_never_saved_loads_empty()
    {
        using var directory = new TempDirectory();
        Assert.Empty(new FileReplicaStateStore(Path.Combine(directory.Path, "replica-state")).Load());
    }

    [Fact]
    public async Task Saved_states_load_back_in_a_new_store_and_a_save_keeps_the_partitions_it_does_not_name()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "sub", "replica-state");
        var store = new FileReplicaStateStore(path);
        await store.SaveAsync(new Dictionary<int, ReplicaState> { [0] = Promised, [5] = ReplicaState.Initial }, Cancel);
        await store.SaveAsync(new Dictionary<int, ReplicaState> { [5] = Promised with { PromisedTerm = 9, PromisedTo = null, PromisedReplicas = [] } }, Cancel);

        var loaded = new FileReplicaStateStore(path).Load();
        Assert.Equal([0, 5], loaded.Keys.Order());
        AssertSame(Promised, loaded[0]);
        AssertSame(Promised with { PromisedTerm = 9, PromisedTo = null, PromisedReplicas = [] }, loaded[5]);
    }

    [Fact]
    public async Task A_save_torn_by_a_crash_leaves_the_previous_state_whole()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "replica-state");
        await new FileReplicaStateStore(path).SaveAsync(new Dictionary<int, ReplicaState> { [1] = Promised }, Cancel);

        // A crash before the rename leaves only a partial temporary file beside the state.
        File.WriteAllBytes(path + ".tmp", [0x44, 0x43, 0x52]);
        var store = new FileReplicaStateStore(path);
        AssertSame(Promised, store.Load()[1]);
        await store.SaveAsync(new Dictionary<int, ReplicaState> { [2] = Promised }, Cancel);
        Assert.Equal([1, 2], new FileReplicaStateStore(path).Load().Keys.Order());
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public async Task A_damaged_file_is_refused_with_its_path_and_what_to_do()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "replica-state");
        await new FileReplicaStateStore(path).SaveAsync(new Dictionary<int, ReplicaState> { [1] = Promised }, Cancel);
        var bytes = File.ReadAllBytes(path);
        bytes[20] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var refused = Assert.Throws<InvalidDataException>(() => new FileReplicaStateStore(path).Load());
        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
        Assert.Contains("CRC32C", refused.Message, StringComparison.Ordinal);

        File.WriteAllBytes(path, bytes[..10]);
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => new FileReplicaStateStore(path).Load()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_log_store_keeps_the_replica_state_in_its_data_directory()
    {
        using var harness = new StoreHarness();
        await harness.Store.ReplicaState.SaveAsync(new Dictionary<int, ReplicaState> { [3] = Promised }, Cancel);
        harness.Store.Dispose();
        using var reopened = LogStore.Open(harness.Options);
        AssertSame(Promised, reopened.ReplicaState.Load()[3]);
        Assert.Equal(Path.Combine(harness.Root, "replica-state"), reopened.ReplicaState.FilePath);
    }

    [Fact]
    public async Task A_file_without_assigned_sets_loads_and_one_with_them_keeps_its_entries_where_an_older_reader_stops()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "replica-state");
        var before = new ReplicaState(11, "member-1", ["member-1", "member-0"], 20, 19);
        File.WriteAllBytes(path, EntriesOnly(partition: 4, before));

        var loaded = new FileReplicaStateStore(path).Load()[4];
        AssertSame(before, loaded);
        Assert.Null(loaded.AssignedReplicas);

        // Saved with an assigned set, the file still starts with the same entries: a build from
        // before the assigned sets reads them and stops there.
        await new FileReplicaStateStore(path).SaveAsync(new Dictionary<int, ReplicaState> { [4] = before with { AssignedReplicas = ["member-0", "member-1", "member-3"] } }, Cancel);
        var saved = File.ReadAllBytes(path);
        var entries = EntriesOnly(partition: 4, before);
        Assert.True(saved.AsSpan(0, entries.Length - 4).SequenceEqual(entries.AsSpan(0, entries.Length - 4)));
        Assert.True(saved.Length > entries.Length);
        Assert.Equal(["member-0", "member-1", "member-3"], new FileReplicaStateStore(path).Load()[4].AssignedReplicas);
    }

    /// <summary>A state file of one entry without earlier or assigned sets, written field by field as the layout describes.</summary>
    private static byte[] EntriesOnly(int partition, ReplicaState state)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write("DCRS"u8);
            writer.Write((byte)1);
            writer.Write(new byte[3]);
            writer.Write(1);
            writer.Write(partition);
            writer.Write(state.PromisedTerm);
            WriteString(state.PromisedTo);
            writer.Write(state.PromisedReplicas.Count);
            foreach (var replica in state.PromisedReplicas)
            {
                WriteString(replica);
            }

            writer.Write(state.CommitOffset);
            writer.Write(state.ConsumedOffset);
            writer.Write(0);

            void WriteString(string? value)
            {
                if (value is null)
                {
                    writer.Write(-1);
                    return;
                }

                var utf8 = System.Text.Encoding.UTF8.GetBytes(value);
                writer.Write(utf8.Length);
                writer.Write(utf8);
            }
        }

        var content = stream.ToArray();
        var file = new byte[content.Length + 4];
        content.CopyTo(file, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(content.Length), Crc32C.Compute(content));
        return file;
    }

    private static void AssertSame(ReplicaState expected, ReplicaState actual)
    {
        Assert.Equal(expected.PromisedTerm, actual.PromisedTerm);
        Assert.Equal(expected.PromisedTo, actual.PromisedTo);
        Assert.Equal(expected.PromisedReplicas, actual.PromisedReplicas);
        Assert.Equal(expected.CommitOffset, actual.CommitOffset);
        Assert.Equal(expected.ConsumedOffset, actual.ConsumedOffset);
        Assert.Equal(expected.EarlierReplicaSets ?? [], actual.EarlierReplicaSets ?? []);
        Assert.Equal(expected.AssignedReplicas, actual.AssignedReplicas);
    }
}
