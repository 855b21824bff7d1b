using DataCluster.Testing.Checking;
using Xunit;

namespace DataCluster.LocalCluster.Tests.Checking;

/// <summary>The write checker catches each kind of violation it is for, and passes a clean history.</summary>
public sealed class WriteCheckerTests
{
    private static int PartitionOf(string key) => key.StartsWith('a') ? 0 : 1;

    private static ReadEvent Event(long offset, string key, long sequence, long epoch = 1) => new(offset, epoch, key, WriteChecker.Body(key, sequence));

    private static Dictionary<int, IReadOnlyDictionary<string, IReadOnlyList<ReadEvent>>> Logs(params (int Partition, string Member, ReadEvent[] Events)[] copies) =>
        copies.GroupBy(c => c.Partition).ToDictionary(
            g => g.Key,
            g => (IReadOnlyDictionary<string, IReadOnlyList<ReadEvent>>)g.ToDictionary(c => c.Member, c => (IReadOnlyList<ReadEvent>)c.Events));

    private static WriteChecker History(params WriteAttempt[] attempts)
    {
        var checker = new WriteChecker();
        foreach (var attempt in attempts)
        {
            checker.Record(attempt);
        }

        return checker;
    }

    [Fact]
    public void A_clean_history_passes_and_counts_unacknowledged_writes_that_landed()
    {
        var checker = History(new WriteAttempt("a1", 0, true, 0, 1), new WriteAttempt("a1", 1, false), new WriteAttempt("a1", 2, true, 0, 3), new WriteAttempt("b1", 0, true, 1, 1));
        var logs = Logs(
            (0, "m0", [Event(1, "a1", 0), Event(2, "a1", 1), Event(3, "a1", 2)]),
            (0, "m1", [Event(1, "a1", 0), Event(2, "a1", 1)]),
            (1, "m1", [Event(1, "b1", 0)]));

        var result = checker.Check(logs, PartitionOf);

        Assert.True(result.Ok, result.ToString());
        Assert.Equal((4, 3, 1), (result.Attempted, result.Acknowledged, result.UnacknowledgedLanded));
    }

    [Fact]
    public void An_acknowledged_write_missing_from_every_copy_is_lost()
    {
        var result = History(new WriteAttempt("a1", 0, true, 0, 1), new WriteAttempt("a1", 1, true, 0, 2)).Check(Logs((0, "m0", [Event(1, "a1", 0)])), PartitionOf);

        Assert.False(result.Ok);
        Assert.Equal(1, Assert.Single(result.Lost).Sequence);
    }

    [Fact]
    public void Acknowledged_writes_of_a_key_in_the_wrong_order_are_reported()
    {
        var result = History(new WriteAttempt("a1", 0, true), new WriteAttempt("a1", 1, true)).Check(Logs((0, "m0", [Event(1, "a1", 1), Event(2, "a1", 0)])), PartitionOf);

        Assert.False(result.Ok);
        Assert.Contains("key a1", Assert.Single(result.OutOfOrder), StringComparison.Ordinal);
    }

    [Fact]
    public void Members_whose_committed_prefixes_differ_are_reported()
    {
        var result = History(new WriteAttempt("a1", 0, true)).Check(Logs(
            (0, "m0", [Event(1, "a1", 0), Event(2, "a1", 1, epoch: 2)]),
            (0, "m1", [Event(1, "a1", 0), Event(2, "a1", 1, epoch: 3)])), PartitionOf);

        Assert.False(result.Ok);
        Assert.Contains("partition 0", Assert.Single(result.Diverged), StringComparison.Ordinal);
    }

    [Fact]
    public void An_acknowledged_write_found_at_another_offset_than_its_answer_is_reported()
    {
        var result = History(new WriteAttempt("a1", 0, true, 0, 5)).Check(Logs((0, "m0", [Event(1, "a1", 0)])), PartitionOf);

        Assert.False(result.Ok);
        Assert.Single(result.AtWrongOffset);
    }
}
