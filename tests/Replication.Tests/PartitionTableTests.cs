using DataCluster.Storage;
using Xunit;

namespace DataCluster.Replication.Tests;

public sealed class PartitionTableTests
{
    private static readonly NodeContext Node = new("a", new ReplicationOptions(), 1);

    private static PartitionReplica ReplicaOf(int partition) => new(Node, new MemoryPartitionLog(partition), ReplicaState.Initial);

    [Fact]
    public void Replicas_are_walked_in_partition_order_whatever_order_they_came_in()
    {
        var table = new PartitionTable();
        foreach (var partition in new[] { 300, 7, 0, 64, 3 })
        {
            table.Add(partition, ReplicaOf(partition));
        }

        table.Remove(64);
        table.Remove(64);
        table.Remove(9);

        Assert.Equal([0, 3, 7, 300], table.Values.Select(r => r.Partition));
        Assert.Equal(4, table.Count);
    }

    [Fact]
    public void Numbers_it_holds_nothing_for_are_not_found_and_a_taken_slot_is_refused()
    {
        var table = new PartitionTable();
        var seven = ReplicaOf(7);
        table.Add(7, seven);

        Assert.True(table.TryGetValue(7, out var found));
        Assert.Same(seven, found);
        Assert.All(new[] { -1, int.MinValue, 6, 8, 64, int.MaxValue }, p => Assert.False(table.ContainsKey(p)));
        Assert.Throws<InvalidOperationException>(() => table.Add(7, ReplicaOf(7)));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.Add(-1, ReplicaOf(1)));
    }
}
