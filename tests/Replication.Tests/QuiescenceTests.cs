using DataCluster.Replication.Messages;

namespace DataCluster.Replication.Tests;

/// <summary>
/// A quiet partition costs nothing per heartbeat interval: its leader stops heartbeating followers
/// that hold its whole log and know its commit point, and the members stay known alive through
/// one ping per peer instead of one heartbeat per partition.
/// </summary>
public sealed class QuiescenceTests
{
    private static readonly string[] Abc = ["a", "b", "c"];

    /// <summary>Eight partitions, each led by a and replicated on b and c, with one committed write each.</summary>
    private static TestCluster SettledCluster(ReplicationOptions? options = null)
    {
        var cluster = new TestCluster(Abc, options);
        cluster.Assign(1, Abc, Abc, Abc, Abc, Abc, Abc, Abc, Abc);
        cluster.Run(200);
        for (var p = 0; p < 8; p++)
        {
            Assert.Equal(ProposeStatus.Accepted, cluster.Propose("a", $"event {p}", CommitLevel.All, partition: p).Status);
        }

        // Commit, then one heartbeat round that tells the followers the commit point.
        cluster.Run(500);
        return cluster;
    }

    private static List<Envelope> Observe(TestCluster cluster, long ms)
    {
        var seen = new List<Envelope>();
        cluster.Run(ms, drop: e =>
        {
            seen.Add(e);
            return false;
        });
        return seen;
    }

    [Fact]
    public void A_leader_whose_followers_hold_everything_sends_them_no_heartbeats_and_they_stay_known_alive()
    {
        var options = new ReplicationOptions();
        var cluster = SettledCluster(options);

        var seen = Observe(cluster, 2000);

        Assert.Empty(seen.SelectMany(e => e.Message.Items).OfType<Heartbeat>());
        Assert.Empty(seen.SelectMany(e => e.Message.Items).OfType<AppendAck>());
        // One ping per peer per heartbeat interval at most, instead of one heartbeat per partition and follower.
        var pingsFromA = seen.Where(e => e.From == "a").SelectMany(e => e.Message.Items).OfType<NodePing>().Count();
        Assert.InRange(pingsFromA, 2, 2 * (2000 / options.HeartbeatIntervalMs + 1));
        for (var p = 0; p < 8; p++)
        {
            var status = cluster.Node("a").GetStatus(p)!;
            Assert.Equal(ReplicaRole.Leading, status.Role);
            Assert.All(status.Followers, f => Assert.False(f.KnownDown, $"{f.Member} of partition {p} is known down"));
            Assert.Equal(status.CommitOffset, cluster.Node("b").GetStatus(p)!.CommitOffset);
            Assert.Equal(status.CommitOffset, cluster.Node("c").GetStatus(p)!.CommitOffset);
        }

        Assert.Equal(ProposeStatus.Accepted, cluster.Propose("a", "still writable at ALL", CommitLevel.All, partition: 3).Status);
    }

    [Fact]
    public void A_write_wakes_only_its_partition_and_the_followers_learn_its_commit_point()
    {
        var cluster = SettledCluster();
        var result = cluster.Propose("a", "wake up", CommitLevel.Quorum, partition: 5);
        Assert.Equal(ProposeStatus.Accepted, result.Status);

        var seen = Observe(cluster, 1000);

        var partitions = seen.SelectMany(e => e.Message.Items).Where(i => i is Append or Heartbeat or AppendAck).Select(i => i.Partition).Distinct();
        Assert.Equal([5], partitions);
        var commit = cluster.Node("a").GetStatus(5)!.CommitOffset;
        Assert.True(commit > result.Offset);
        Assert.Equal(commit, cluster.Node("b").GetStatus(5)!.CommitOffset);
        Assert.Equal(commit, cluster.Node("c").GetStatus(5)!.CommitOffset);

        // Settled again: the next second carries pings only.
        Assert.All(Observe(cluster, 1000).SelectMany(e => e.Message.Items), i => Assert.IsType<NodePing>(i));
    }

    [Fact]
    public void A_follower_that_restarts_is_told_the_commit_point_again()
    {
        var cluster = SettledCluster();
        var commit = cluster.Node("a").GetStatus(2)!.CommitOffset;
        cluster.Crash("b");
        cluster.Start("b");
        // What b saved may lag the commit point it had learned; its new incarnation makes a heartbeat it again.
        cluster.Run(1000);

        Assert.Equal(commit, cluster.Node("b").GetStatus(2)!.CommitOffset);
        Assert.All(cluster.Node("a").GetStatus(2)!.Followers, f => Assert.Equal(commit, f.MatchedOffset));
    }

    [Fact]
    public void A_peer_that_stops_pinging_is_known_down_and_ALL_is_refused_while_QUORUM_still_commits()
    {
        var options = new ReplicationOptions();
        var cluster = SettledCluster(options);
        cluster.Isolated.Add("c");

        cluster.Run(options.DownAfterMs + 2 * options.HeartbeatIntervalMs);

        var follower = Assert.Single(cluster.Node("a").GetStatus(0)!.Followers, f => f.Member == "c");
        Assert.True(follower.KnownDown);
        Assert.Equal(ProposeStatus.CommitLevelCannotBeMet, cluster.Propose("a", "needs c", CommitLevel.All).Status);
        var quorum = cluster.Propose("a", "b is enough", CommitLevel.Quorum);
        Assert.Equal(ProposeStatus.Accepted, quorum.Status);
        cluster.Run(300);
        Assert.Contains(cluster.Completions, c => c.Ticket == quorum.Ticket && c.Outcome == ProposalOutcome.Acknowledged);
    }

    [Fact]
    public void A_node_says_it_is_quiet_only_while_no_partition_has_a_timer_running()
    {
        var cluster = SettledCluster();
        Assert.True(cluster.Node("a").Tick(cluster.Now));
        Assert.True(cluster.Node("b").Tick(cluster.Now));

        // A proposal in flight needs its leader's retransmission and timeout timers.
        cluster.Propose("a", "pending", CommitLevel.All, partition: 1);
        cluster.Process("a");
        Assert.False(cluster.Node("a").Tick(cluster.Now));

        cluster.Run(500);
        Assert.True(cluster.Node("a").Tick(cluster.Now));

        // A leader still collecting promises (restarted, its followers unreachable) retries its prepares.
        cluster.Isolated.Add("b");
        cluster.Isolated.Add("c");
        cluster.Crash("a");
        cluster.Start("a");
        Assert.False(cluster.Node("a").Tick(cluster.Now));
    }
}
