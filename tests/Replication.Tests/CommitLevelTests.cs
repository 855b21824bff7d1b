namespace DataCluster.Replication.Tests;

public sealed class CommitLevelTests
{
    private static readonly string[] Abc = ["a", "b", "c"];

    private static TestCluster Led()
    {
        var cluster = new TestCluster(Abc);
        cluster.Assign(1, Abc);
        cluster.DeliverAll();
        return cluster;
    }

    [Fact]
    public void ONE_is_acknowledged_once_the_leader_has_the_record_durably_even_with_no_follower_reachable()
    {
        var cluster = Led();
        var result = cluster.Propose("a", "one", CommitLevel.One);
        cluster.InFlight.Clear();

        var completion = Assert.Single(cluster.Completions);
        Assert.Equal(result.Ticket, completion.Ticket);
        Assert.Equal(ProposalOutcome.Acknowledged, completion.Outcome);
        Assert.True(cluster.Log("a").DurableOffset > result.Offset);
    }

    [Fact]
    public void ALL_waits_for_every_replica_where_QUORUM_needs_a_majority()
    {
        var cluster = Led();
        var quorum = cluster.Propose("a", "q", CommitLevel.Quorum);
        var all = cluster.Propose("a", "all", CommitLevel.All);
        var toC = cluster.InFlight.Where(e => e.To == "c").ToList();
        cluster.InFlight.RemoveAll(e => e.To == "c");
        cluster.DeliverAll();

        Assert.Contains(cluster.Completions, c => c.Ticket == quorum.Ticket && c.Outcome == ProposalOutcome.Acknowledged);
        Assert.DoesNotContain(cluster.Completions, c => c.Ticket == all.Ticket);

        foreach (var envelope in toC)
        {
            cluster.Deliver(envelope);
        }

        cluster.DeliverAll();
        Assert.Contains(cluster.Completions, c => c.Ticket == all.Ticket && c.Outcome == ProposalOutcome.Acknowledged);
    }

    [Fact]
    public void ALL_is_refused_at_once_while_a_replica_is_known_down_and_QUORUM_still_accepted()
    {
        var cluster = Led();
        cluster.Isolated.Add("c");
        cluster.Run(new ReplicationOptions().DownAfterMs + 200);

        var all = cluster.Propose("a", "all", CommitLevel.All);
        Assert.Equal(ProposeStatus.CommitLevelCannotBeMet, all.Status);
        Assert.Contains("commit level cannot be met", all.Message, StringComparison.Ordinal);
        Assert.Contains("c", all.Message, StringComparison.Ordinal);
        Assert.True(cluster.Propose("a", "quorum", CommitLevel.Quorum).IsAccepted);

        var down = cluster.Node("a").GetStatus(0)!.Followers.Single(f => f.Member == "c");
        Assert.True(down.KnownDown);
    }

    [Fact]
    public void QUORUM_is_refused_at_once_while_a_majority_is_known_down_and_ONE_still_accepted()
    {
        var cluster = Led();
        cluster.Isolated.Add("b");
        cluster.Isolated.Add("c");
        cluster.Run(new ReplicationOptions().DownAfterMs + 200);

        Assert.Equal(ProposeStatus.CommitLevelCannotBeMet, cluster.Propose("a", "quorum", CommitLevel.Quorum).Status);
        Assert.True(cluster.Propose("a", "one", CommitLevel.One).IsAccepted);
    }

    [Fact]
    public void Followers_report_their_matched_offset_and_lag()
    {
        var cluster = Led();
        cluster.Propose("a", "x");
        cluster.InFlight.RemoveAll(e => e.To == "c");
        cluster.DeliverAll();

        var status = cluster.Node("a").GetStatus(0)!;
        Assert.Equal(ReplicaRole.Leading, status.Role);
        Assert.Equal(2, status.LogEnd);
        var b = status.Followers.Single(f => f.Member == "b");
        var c = status.Followers.Single(f => f.Member == "c");
        Assert.Equal((2L, 0L), (b.MatchedOffset, b.Lag));
        Assert.Equal((1L, 1L), (c.MatchedOffset, c.Lag));
    }
}
