using DataCluster.Replication.Messages;
using DataCluster.Storage;

namespace DataCluster.Replication.Tests;

public sealed class HappyPathTests
{
    private static readonly string[] Abc = ["a", "b", "c"];

    [Fact]
    public void The_first_replica_leads_after_promises_and_a_TermStart_record()
    {
        var cluster = new TestCluster(Abc);
        cluster.Assign(1, Abc);
        cluster.DeliverAll();

        var status = cluster.Node("a").GetStatus(0)!;
        Assert.Equal(ReplicaRole.Leading, status.Role);
        Assert.Equal(TermNumbers.First(1), status.Term);
        Assert.Equal(RecordKind.TermStart, ReadAll(cluster.Log("a"))[0].Kind);
        Assert.Equal(["a", "b", "c"], ReplicaSetCodec.TryDecode(ReadAll(cluster.Log("a"))[0].Body.Span)!);
        Assert.Equal(ReplicaRole.Following, cluster.Node("b").GetStatus(0)!.Role);
        Assert.Equal("a", cluster.Node("b").GetStatus(0)!.Leader);
    }

    [Fact]
    public void A_quorum_write_is_acknowledged_once_a_majority_has_it_durably_and_followers_learn_the_commit()
    {
        var cluster = new TestCluster(Abc);
        cluster.Assign(1, Abc);
        cluster.DeliverAll();

        var result = cluster.Propose("a", "hello");
        Assert.True(result.IsAccepted);
        Assert.Equal(1, result.Offset);
        Assert.Empty(cluster.Completions);

        cluster.DeliverAll();
        var completion = Assert.Single(cluster.Completions);
        Assert.Equal(result.Ticket, completion.Ticket);
        Assert.Equal(ProposalOutcome.Acknowledged, completion.Outcome);
        Assert.Equal(2, cluster.Node("a").GetStatus(0)!.CommitOffset);

        // Followers learn the commit point on the next append or heartbeat.
        cluster.Run(200);
        foreach (var id in Abc)
        {
            Assert.Equal(["hello"], cluster.Bodies(id));
            Assert.Equal(2, cluster.Node(id).GetStatus(0)!.CommitOffset);
        }
    }

    [Fact]
    public void Many_partitions_travel_in_one_message_per_peer()
    {
        var cluster = new TestCluster(Abc);
        cluster.Assign(1, Abc, Abc, Abc, Abc);
        cluster.DeliverAll();
        for (var p = 0; p < 4; p++)
        {
            Assert.True(cluster.Propose("a", $"p{p}", partition: p).IsAccepted);
        }

        // The proposals above were each processed at once; batch them by proposing without processing.
        cluster.DeliverAll();
        for (var p = 0; p < 4; p++)
        {
            cluster.Node("a").Propose(p, new byte[] { 1 }, null, new byte[] { 2 }, CommitLevel.Quorum);
        }

        cluster.Process("a");
        var toB = cluster.InFlight.Where(e => e.From == "a" && e.To == "b").ToList();
        var single = Assert.Single(toB);
        Assert.Equal([0, 1, 2, 3], single.Message.Items.OfType<Append>().Select(a => a.Partition).Order());
    }

    [Fact]
    public void A_follower_acknowledges_only_after_its_flush()
    {
        var cluster = new TestCluster(Abc);
        cluster.Assign(1, Abc);
        cluster.DeliverAll();
        cluster.Propose("a", "x");
        var append = cluster.InFlight.First(e => e.To == "b" && e.Message.Items.OfType<Append>().Any());

        var node = cluster.Node("b");
        node.Step("a", append.Message);
        cluster.InFlight.Remove(append);
        var ready = node.TakeReady();
        Assert.Contains(cluster.Log("b"), ready.LogsToFlush);
        Assert.Empty(ready.SendNow.SelectMany(m => m.Message.Items).OfType<AppendAck>());
        var ack = Assert.Single(ready.SendAfterPersist.SelectMany(m => m.Message.Items).OfType<AppendAck>());
        Assert.Equal(2, ack.MatchedOffset);
        Assert.True(cluster.Log("b").DurableOffset < 2);
        node.Advance(ready);
    }

    internal static List<LogRecord> ReadAll(IPartitionLog log)
    {
        var records = new List<LogRecord>();
        log.Read(log.StartOffset, int.MaxValue, long.MaxValue, records);
        return records;
    }
}
