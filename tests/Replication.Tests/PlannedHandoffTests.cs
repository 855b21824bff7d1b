namespace DataCluster.Replication.Tests;

/// <summary>
/// A planned leadership move (a member stopping, a drain): the assignment makes another replica
/// the leader while the old leader is still alive and still in the replica set.
/// </summary>
public sealed class PlannedHandoffTests
{
    private static readonly string[] Abc = ["a", "b", "c"];

    [Fact]
    public void Writes_the_old_leader_accepted_before_the_move_are_committed_by_the_new_leader()
    {
        var cluster = new TestCluster(Abc);
        cluster.Assign(1, Abc);
        cluster.DeliverAll();
        Assert.True(cluster.Propose("a", "committed before").IsAccepted);
        cluster.DeliverAll();

        // a accepts two writes but none of its appends reaches b or c: not committed, not acknowledged.
        var first = cluster.Propose("a", "accepted 1", producer: "p", sequence: 0);
        var second = cluster.Propose("a", "accepted 2", producer: "p", sequence: 1);
        Assert.True(first.IsAccepted && second.IsAccepted);
        cluster.DeliverAll(drop: e => e.From == "a");
        Assert.DoesNotContain(cluster.Completions, c => c.Ticket == first.Ticket || c.Ticket == second.Ticket);

        // The move: b leads, a stays a replica and stays up.
        cluster.Assign(2, ["b", "a", "c"]);
        Assert.False(cluster.Propose("a", "after the move").IsAccepted);
        cluster.Run(200);

        Assert.Equal(ReplicaRole.Leading, cluster.Node("b").GetStatus(0)!.Role);
        foreach (var id in Abc)
        {
            Assert.Equal(["committed before", "accepted 1", "accepted 2"], cluster.Bodies(id));
        }

        var leading = cluster.Node("b").GetStatus(0)!;
        Assert.True(leading.CommitOffset > second.Offset, $"b's commit point {leading.CommitOffset} passes the accepted writes (offset {second.Offset})");

        // The old leader answered its pending writes "not acknowledged" (the client retries), and
        // now follows b in a term whose TermStart it holds.
        Assert.All(cluster.Completions.Where(c => c.Ticket == first.Ticket || c.Ticket == second.Ticket), c => Assert.Equal(ProposalOutcome.NotAcknowledged, c.Outcome));
        var old = cluster.Node("a").GetStatus(0)!;
        Assert.Equal(ReplicaRole.Following, old.Role);
        Assert.Equal("b", old.Leader);
        Assert.True(old.FollowsActiveLeader, $"a follows b's active term: term {old.Term}, last log term {old.LastLogTerm}");

        // A client's retry with the same producer sequence finds the original record at the new leader: no second copy.
        var retry = cluster.Propose("b", "accepted 2", producer: "p", sequence: 1);
        Assert.True(retry.IsAccepted);
        Assert.True(retry.Duplicate);
        Assert.Equal(second.Offset, retry.Offset);
        cluster.Run(100);
        Assert.Contains(cluster.Completions, c => c.Ticket == retry.Ticket && c.Outcome == ProposalOutcome.Acknowledged);
        Assert.Equal(["committed before", "accepted 1", "accepted 2"], cluster.Bodies("b"));
    }

    [Fact]
    public void A_follower_does_not_report_an_active_leader_before_the_new_term_started()
    {
        var cluster = new TestCluster(Abc);
        cluster.Assign(1, Abc);
        cluster.DeliverAll();
        Assert.True(cluster.Node("b").GetStatus(0)!.FollowsActiveLeader);

        // b's promise to c's new term arrives, but c never appends its TermStart (its messages to b are lost after the prepare).
        cluster.Assign(2, ["c", "a", "b"]);
        cluster.DeliverAll(drop: e => e.From == "c" && e.To == "b" && e.Message.Items.Any(i => i is Messages.Append or Messages.Heartbeat));
        var status = cluster.Node("b").GetStatus(0)!;
        Assert.Equal("c", status.Leader);
        Assert.False(status.FollowsActiveLeader, $"b promised term {status.Term} but holds records up to term {status.LastLogTerm} only");
    }
}
