namespace DataCluster.Ring.Tests;

public sealed class AssignmentCodecTests
{
    private static Member[] Members(int count, int zones = 1) =>
        [.. Enumerable.Range(0, count).Select(i => new Member($"dc-{i}", i, $"z{i % zones}", "r"))];

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(16, 3, 3)]
    [InlineData(4096, 3, 100)]
    [InlineData(7, 5, 3)]
    public void Encoding_round_trips_every_replica_list_and_the_epoch(int partitions, int factor, int members)
    {
        var assignment = Assigner.Assign(null, Members(members, zones: 3), new AssignmentSettings(partitions, factor));

        var decoded = AssignmentCodec.Decode(AssignmentCodec.Encode(assignment));

        Assert.Equal(assignment, decoded);
        Assert.Equal(assignment.Epoch, decoded.Epoch);
        Assert.True(decoded.SameReplicas(assignment));
    }

    [Fact]
    public void Draining_members_and_empty_partitions_round_trip()
    {
        var assignment = Assignment.Create(9, 3, 2, [["dc-1", "dc-0"], [], ["dc-0"]], draining: ["dc-1"]);

        var decoded = AssignmentCodec.Decode(AssignmentCodec.Encode(assignment));

        Assert.Equal(["dc-1"], decoded.Draining);
        Assert.Null(decoded.LeaderOf(0)); // a draining first replica leads nothing
        Assert.Equal(0, decoded.ReplicasOf(1).Length);
        Assert.Equal(assignment, decoded);
    }

    [Fact]
    public void The_encoding_is_the_documented_text()
    {
        var assignment = Assignment.Create(4, 3, 2, [["dc-0", "dc-1"], ["dc-1", "dc-2"], ["dc-2", "dc-0"]]);

        var text = AssignmentCodec.Encode(assignment);

        Assert.Equal(
            "datacluster-assignment v1\nepoch=4 partitions=3 factor=2\nmembers=dc-0,dc-1,dc-2\ndraining=\nreplicas=0.1,1.2,2.0\n",
            text);
    }

    [Fact]
    public void Four_thousand_partitions_at_factor_three_fit_easily_in_a_ConfigMap()
    {
        var assignment = Assigner.Assign(null, Members(100), new AssignmentSettings(4096, 3));

        var size = System.Text.Encoding.UTF8.GetByteCount(AssignmentCodec.Encode(assignment));

        Assert.InRange(size, 1, 64 * 1024);
    }

    [Theory]
    [InlineData("", "not an assignment encoding")]
    [InlineData("datacluster-assignment v2\nepoch=1 partitions=1 factor=1\nmembers=a\ndraining=\nreplicas=0\n", "not supported by this version")]
    [InlineData("datacluster-assignment v1\nepoch=x partitions=1 factor=1\nmembers=a\ndraining=\nreplicas=0\n", "lacks a valid 'epoch'")]
    [InlineData("datacluster-assignment v1\nepoch=1 partitions=2 factor=1\nmembers=a\ndraining=\nreplicas=0\n", "lists 1 partitions but its header says 2")]
    [InlineData("datacluster-assignment v1\nepoch=1 partitions=1 factor=1\nmembers=a\ndraining=\nreplicas=3\n", "names member index '3'")]
    [InlineData("datacluster-assignment v1\nepoch=1 partitions=1 factor=2\nmembers=a\ndraining=\nreplicas=0.0\n", "inconsistent")]
    [InlineData("datacluster-assignment v1\nepoch=1 partitions=1 factor=1\ndraining=\nmembers=a\nreplicas=0\n", "should start with 'members='")]
    public void Malformed_text_is_a_FormatException_that_says_what_is_wrong(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => AssignmentCodec.Decode(text));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Null(AssignmentCodec.TryDecode(text, out var reason));
        Assert.Contains(expected, reason, StringComparison.Ordinal);
    }
}
