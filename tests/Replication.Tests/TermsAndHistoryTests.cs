using DataCluster.Storage;

namespace DataCluster.Replication.Tests;

public sealed class TermsAndHistoryTests
{
    [Fact]
    public void A_term_carries_the_assignment_epoch_and_the_next_term_stays_in_the_epoch()
    {
        Assert.Equal(TermNumbers.First(3), TermNumbers.Next(0, 3));
        Assert.Equal(TermNumbers.First(3) + 1, TermNumbers.Next(TermNumbers.First(3), 3));
        Assert.Equal(TermNumbers.First(3), TermNumbers.Next(TermNumbers.First(2) + 7, 3));
        Assert.Equal(3, TermNumbers.EpochOf(TermNumbers.First(3) + 5));
        Assert.Equal(5, TermNumbers.AttemptOf(TermNumbers.First(3) + 5));
    }

    [Fact]
    public void A_member_acting_on_an_older_epoch_than_a_term_it_saw_does_not_try()
    {
        Assert.Null(TermNumbers.Next(TermNumbers.First(4), 3));
        Assert.Null(TermNumbers.Next(TermNumbers.First(4) - 1, 3));
    }

    [Fact]
    public void The_replica_set_codec_round_trips_and_rejects_damage()
    {
        var encoded = ReplicaSetCodec.Encode(["member-0", "mëmber-1", "m2"]);
        Assert.Equal(["member-0", "mëmber-1", "m2"], ReplicaSetCodec.TryDecode(encoded)!);
        Assert.Empty(ReplicaSetCodec.TryDecode(ReplicaSetCodec.Encode([]))!);
        Assert.Null(ReplicaSetCodec.TryDecode(encoded.AsSpan(0, encoded.Length - 1)));
        Assert.Null(ReplicaSetCodec.TryDecode([]));
        encoded[0] = 9;
        Assert.Null(ReplicaSetCodec.TryDecode(encoded));
    }

    [Theory]
    // Same history: agree everywhere.
    [InlineData("1@0 2@5", 10, "1@0 2@5", 10, 10)]
    // One is a prefix of the other.
    [InlineData("1@0 2@5", 10, "1@0 2@5", 7, 7)]
    // Term 2 in both but the second went on with term 3 earlier: agree up to where term 2 ends in the second.
    [InlineData("1@0 2@5", 10, "1@0 2@5 3@8", 12, 8)]
    // The second has term 3 the first never saw, after term 1 only: agree up to the end of term 1 in both.
    [InlineData("1@0 2@5", 10, "1@0 3@4", 9, 4)]
    // Nothing in common.
    [InlineData("2@0", 3, "1@0", 3, 0)]
    [InlineData("", 0, "1@0", 3, 0)]
    public void Divergence_is_the_end_of_the_highest_term_both_logs_hold(string a, long aNext, string b, long bNext, long expected)
    {
        Assert.Equal(expected, TermHistory.Divergence(Parse(a), aNext, Parse(b), bNext));
        Assert.Equal(expected, TermHistory.Divergence(Parse(b), bNext, Parse(a), aNext));
    }

    private static List<TermStart> Parse(string history) =>
        history.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('@'))
            .Select(parts => new TermStart(long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
}
