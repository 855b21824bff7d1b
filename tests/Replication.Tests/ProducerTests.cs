namespace DataCluster.Replication.Tests;

public sealed class ProducerTests
{
    private static readonly string[] Abc = ["a", "b", "c"];

    private static TestCluster Led(ReplicationOptions? options = null)
    {
        var cluster = new TestCluster(Abc, options);
        cluster.Assign(1, Abc);
        cluster.DeliverAll();
        return cluster;
    }

    [Fact]
    public void A_retry_of_a_pending_sequence_gets_the_original_offset_and_no_second_copy()
    {
        var cluster = Led();
        var first = cluster.Propose("a", "event", producer: "p1", sequence: 7);
        var retry = cluster.Propose("a", "event", producer: "p1", sequence: 7);

        Assert.True(retry.IsAccepted);
        Assert.True(retry.Duplicate);
        Assert.Equal(first.Offset, retry.Offset);
        Assert.NotEqual(first.Ticket, retry.Ticket);

        cluster.DeliverAll();
        Assert.Equal(["event"], cluster.Bodies("a"));
        Assert.All(cluster.Completions, c => Assert.Equal(ProposalOutcome.Acknowledged, c.Outcome));
        Assert.Equal(2, cluster.Completions.Count);
    }

    [Fact]
    public void A_retry_of_a_committed_sequence_is_acknowledged_with_the_original_offset()
    {
        var cluster = Led();
        var first = cluster.Propose("a", "event", producer: "p1", sequence: 1);
        cluster.DeliverAll();
        var retry = cluster.Propose("a", "event", producer: "p1", sequence: 1);

        Assert.True(retry.Duplicate);
        Assert.Equal(first.Offset, retry.Offset);
        Assert.Contains(cluster.Completions, c => c.Ticket == retry.Ticket && c.Outcome == ProposalOutcome.Acknowledged);
        Assert.Single(cluster.Bodies("a"));
    }

    [Fact]
    public void A_sequence_older_than_the_remembered_window_is_refused_and_a_newer_one_written()
    {
        var cluster = Led(new ReplicationOptions { ProducerSequencesKept = 2 });
        for (var s = 1; s <= 4; s++)
        {
            cluster.Propose("a", $"e{s}", producer: "p1", sequence: s);
        }

        var old = cluster.Propose("a", "e1", producer: "p1", sequence: 1);
        Assert.Equal(ProposeStatus.SequenceOutOfWindow, old.Status);
        Assert.True(cluster.Propose("a", "e3", producer: "p1", sequence: 3).Duplicate);
        Assert.False(cluster.Propose("a", "e9", producer: "p1", sequence: 9).Duplicate);
    }

    [Fact]
    public void After_the_expiry_window_a_retry_is_written_again()
    {
        var cluster = Led(new ReplicationOptions { ProducerExpiryMs = 1_000 });
        var first = cluster.Propose("a", "event", producer: "p1", sequence: 1);
        cluster.Run(2_000);
        var late = cluster.Propose("a", "event", producer: "p1", sequence: 1);

        Assert.True(late.IsAccepted);
        Assert.False(late.Duplicate);
        Assert.NotEqual(first.Offset, late.Offset);
        cluster.DeliverAll();
        Assert.Equal(["event", "event"], cluster.Bodies("a"));
    }

    [Fact]
    public void A_new_leader_rebuilds_producer_state_from_its_log()
    {
        var cluster = Led();
        var first = cluster.Propose("a", "event", producer: "p1", sequence: 5);
        cluster.DeliverAll();

        cluster.Assign(2, ["b", "a", "c"]);
        cluster.DeliverAll();
        Assert.Equal(ReplicaRole.Leading, cluster.Node("b").GetStatus(0)!.Role);

        var retry = cluster.Propose("b", "event", producer: "p1", sequence: 5);
        Assert.True(retry.Duplicate);
        Assert.Equal(first.Offset, retry.Offset);
        cluster.DeliverAll();
        Assert.Single(cluster.Bodies("b"));
    }

    [Fact]
    public void Writes_to_a_follower_are_refused_with_the_leader_to_retry_at()
    {
        var cluster = Led();
        var refused = cluster.Propose("c", "event", producer: "p1", sequence: 1);
        Assert.Equal(ProposeStatus.NotLeader, refused.Status);
        Assert.Equal("a", refused.Leader);
        Assert.Contains("send the write to a", refused.Message, StringComparison.Ordinal);
    }
}
