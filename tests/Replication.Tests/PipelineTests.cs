using DataCluster.Replication.Messages;

namespace DataCluster.Replication.Tests;

public sealed class PipelineTests
{
    private static readonly string[] Abc = ["a", "b", "c"];

    [Fact]
    public void The_leader_keeps_a_window_of_batches_in_flight_without_waiting_for_acknowledgements()
    {
        var cluster = new TestCluster(Abc, new ReplicationOptions { MaxBatchRecords = 2, PipelineWindow = 3 });
        cluster.Assign(1, Abc);
        cluster.DeliverAll();

        for (var i = 0; i < 20; i++)
        {
            cluster.Node("a").Propose(0, new byte[] { 1 }, null, new byte[] { (byte)i }, CommitLevel.Quorum);
        }

        cluster.Process("a");

        // One message to b carries the three batches of the window, and nothing more is sent.
        var message = Assert.Single(cluster.InFlight, e => e.To == "b");
        Assert.Equal([1L, 3L, 5L], message.Message.Items.OfType<Append>().Select(a => a.Records[0].Offset));

        // Acknowledging them opens the window again.
        cluster.Deliver(message);
        var ack = cluster.InFlight.First(e => e.From == "b" && e.Message.Items.OfType<AppendAck>().Any());
        cluster.Deliver(ack);
        Assert.Equal([7L, 9L, 11L], cluster.Sent<Append>("a", "b").Select(a => a.Records[0].Offset));

        cluster.DeliverAll();
        Assert.Equal(21, cluster.Node("a").GetStatus(0)!.CommitOffset);
        Assert.Equal(20, cluster.Completions.Count(c => c.Outcome == ProposalOutcome.Acknowledged));
    }

    [Fact]
    public void A_lost_batch_is_sent_again_from_the_last_acknowledged_offset()
    {
        var cluster = new TestCluster(Abc, new ReplicationOptions { MaxBatchRecords = 1, PipelineWindow = 4, RetransmitAfterMs = 300 });
        cluster.Assign(1, Abc);
        cluster.DeliverAll();
        for (var i = 0; i < 4; i++)
        {
            cluster.Node("a").Propose(0, new byte[] { 1 }, null, new byte[] { (byte)i }, CommitLevel.All);
        }

        cluster.Process("a");

        // The message to b with every batch is lost.
        var lost = cluster.InFlight.First(e => e.To == "b");
        cluster.InFlight.Remove(lost);
        cluster.DeliverAll();
        Assert.Equal(1, cluster.Log("b").NextOffset);
        Assert.Empty(cluster.Completions);

        cluster.Run(1000);
        Assert.Equal(5, cluster.Log("b").NextOffset);
        Assert.Equal(4, cluster.Completions.Count(c => c.Outcome == ProposalOutcome.Acknowledged));
    }

    [Fact]
    public void Reordered_appends_never_truncate_what_a_follower_already_matched()
    {
        var cluster = new TestCluster(Abc, new ReplicationOptions { MaxBatchRecords = 1, PipelineWindow = 4 });
        cluster.Assign(1, Abc);
        cluster.DeliverAll();
        for (var i = 0; i < 3; i++)
        {
            cluster.Node("a").Propose(0, new byte[] { 1 }, null, new byte[] { (byte)i }, CommitLevel.Quorum);
        }

        cluster.Process("a");
        var toB = cluster.InFlight.Where(e => e.To == "b").ToList();
        cluster.InFlight.RemoveAll(e => e.To == "b");
        foreach (var envelope in toB)
        {
            cluster.Deliver(envelope);
        }

        Assert.Equal(4, cluster.Log("b").NextOffset);

        // The first batch again, late: b already holds it and keeps everything after it.
        cluster.Deliver(toB[0]);
        Assert.Equal(4, cluster.Log("b").NextOffset);
    }
}
