using DataCluster.Replication.Messages;

namespace DataCluster.Replication.Tests;

/// <summary>
/// "Get it done" substitutes: a leader whose follower is down puts a member outside the
/// partition's set in its place, so ALL and QUORUM writes keep being acknowledged; the copy the
/// substitute holds counts for the next leader's sync; once the follower is back it gets its place
/// and every record, and the substitute drops its copy only after that.
/// </summary>
public sealed class SubstituteTests
{
    private static readonly string[] Abc = ["a", "b", "c"];

    /// <summary>Picks the first usable member of a fixed order, like a ring with one spare member.</summary>
    private static SubstituteChooser InOrder(params string[] candidates) =>
        (_, _, _, usable) => candidates.FirstOrDefault(usable);

    /// <summary>a leads partition 0 on a, b, c; d holds no replica; three writes committed at ALL.</summary>
    private static TestCluster Cluster(SubstituteChooser? chooser = null)
    {
        chooser ??= InOrder("d");
        var cluster = new TestCluster(["a", "b", "c", "d"], configure: node => node.SubstituteChooser = chooser);
        cluster.Assign(1, Abc);
        cluster.Run(300);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ProposeStatus.Accepted, cluster.Propose("a", $"before {i}", CommitLevel.All).Status);
        }

        cluster.Run(300);
        Assert.Equal(3, cluster.Completions.Count(c => c.Outcome == ProposalOutcome.Acknowledged));
        return cluster;
    }

    /// <summary>Proposes at <paramref name="level"/> until accepted (a retrying client), within <paramref name="withinMs"/>.</summary>
    private static ProposeResult ProposeUntilAccepted(TestCluster cluster, string body, CommitLevel level, long withinMs = 5_000)
    {
        for (var waited = 0L; waited <= withinMs; waited += 50)
        {
            var result = cluster.Propose("a", body, level);
            if (result.Status == ProposeStatus.Accepted)
            {
                return result;
            }

            cluster.Run(50);
        }

        throw new Xunit.Sdk.XunitException($"'{body}' was not accepted at {level} within {withinMs} ms");
    }

    private static bool Committed(TestCluster cluster, ProposeResult result) =>
        cluster.Completions.Any(c => c.Ticket == result.Ticket && c.Outcome == ProposalOutcome.Acknowledged);

    [Fact]
    public void A_down_follower_gets_a_substitute_that_takes_every_record_and_ALL_writes_are_acknowledged_again()
    {
        var cluster = Cluster();
        cluster.Crash("c");
        cluster.Run(1_500);

        var written = ProposeUntilAccepted(cluster, "while c is down", CommitLevel.All);
        cluster.Run(300);

        Assert.True(Committed(cluster, written), "the ALL write was not acknowledged with the substitute's help");
        var status = cluster.Node("a").GetStatus(0)!;
        Assert.Equal(ReplicaRole.Leading, status.Role);
        var substitute = Assert.Single(status.Followers, f => f.Member == "d");
        Assert.Equal("c", substitute.StandsInFor);
        Assert.DoesNotContain(status.Followers, f => f.Member == "c");
        Assert.Null(Assert.Single(status.Followers, f => f.Member == "b").StandsInFor);
        Assert.Equal(ReplicaRole.Substitute, cluster.Node("d").GetStatus(0)!.Role);
        Assert.Equal(["before 0", "before 1", "before 2", "while c is down"], cluster.Bodies("d"));
        Assert.Equal(1, cluster.Node("a").SubstitutionsStarted);
    }

    [Fact]
    public void A_follower_that_is_back_gets_its_place_and_every_record_before_the_substitute_drops_its_copy()
    {
        var cluster = Cluster();
        cluster.Crash("c");
        cluster.Run(1_500);
        var during = ProposeUntilAccepted(cluster, "while c is down", CommitLevel.All);
        cluster.Run(300);
        Assert.True(Committed(cluster, during));

        cluster.Start("c");
        cluster.Run(2_000);

        var status = cluster.Node("a").GetStatus(0)!;
        Assert.Equal(["b", "c"], status.Followers.Select(f => f.Member).Order());
        Assert.All(status.Followers, f => Assert.Null(f.StandsInFor));
        Assert.Equal(["before 0", "before 1", "before 2", "while c is down"], cluster.Bodies("c"));
        var d = cluster.Node("d").GetStatus(0)!;
        Assert.Equal(ReplicaRole.None, d.Role);
        Assert.Equal(0, d.LogEnd);
        Assert.Equal(1, cluster.Node("d").SubstituteCopiesReleased);
        var after = ProposeUntilAccepted(cluster, "after c is back", CommitLevel.All);
        cluster.Run(300);
        Assert.True(Committed(cluster, after));
    }

    [Fact]
    public void The_substitute_keeps_its_copy_until_the_returning_follower_holds_the_log_up_to_the_new_term()
    {
        var cluster = Cluster();
        cluster.Crash("c");
        cluster.Run(1_500);
        ProposeUntilAccepted(cluster, "while c is down", CommitLevel.All);
        cluster.Run(300);

        // c is back, but nothing from a reaches it: a hands c its place (the prepare needs only
        // a majority), yet c does not hold the log, so d may not drop what it holds.
        cluster.Start("c");
        cluster.Run(2_000, drop: e => e.From == "a" && e.To == "c" && e.Message.Items.Any(i => i is Append));

        Assert.Contains(cluster.Node("a").GetStatus(0)!.Followers, f => f.Member == "c" && f.MatchedOffset == 0);
        Assert.DoesNotContain(cluster.Node("a").GetStatus(0)!.Followers, f => f.Member == "d");
        Assert.Equal(["before 0", "before 1", "before 2", "while c is down"], cluster.Bodies("d"));
        Assert.Equal(0, cluster.Node("d").SubstituteCopiesReleased);

        cluster.Run(1_000);
        Assert.Equal(["before 0", "before 1", "before 2", "while c is down"], cluster.Bodies("c"));
        Assert.Equal(0, cluster.Node("d").GetStatus(0)!.LogEnd);
    }

    [Fact]
    public void A_follower_back_for_less_than_the_down_after_interval_does_not_take_its_place_back()
    {
        var cluster = Cluster();
        cluster.Crash("c");
        cluster.Run(1_500);
        Assert.Contains(cluster.Node("a").GetStatus(0)!.Followers, f => f.Member == "d");

        // c starts, answers for 400 ms (less than half the down-after interval) and dies again.
        cluster.Start("c");
        cluster.Run(400);
        cluster.Crash("c");
        cluster.Run(1_500);

        var status = cluster.Node("a").GetStatus(0)!;
        Assert.Contains(status.Followers, f => f.Member == "d" && f.StandsInFor == "c");
        Assert.Equal(1, cluster.Node("a").SubstitutionsStarted);
        Assert.Equal(0, cluster.Node("d").SubstituteCopiesReleased);
    }

    [Fact]
    public void Records_acknowledged_with_a_substitute_survive_the_leader_through_the_next_leaders_sync()
    {
        var cluster = Cluster();
        cluster.Crash("c");
        cluster.Run(1_500);
        ProposeUntilAccepted(cluster, "settle the substitute", CommitLevel.All);
        cluster.Run(300);

        // b stops receiving records (it still answers and pings): QUORUM commits on a and d only.
        bool NoRecordsToB(Envelope e) => e.To == "b" && e.Message.Items.Any(i => i is Append);
        var quorum = new List<ProposeResult>();
        for (var i = 0; i < 3; i++)
        {
            quorum.Add(cluster.Propose("a", $"on a and d {i}", CommitLevel.Quorum));
        }

        cluster.Run(300, drop: NoRecordsToB);
        Assert.All(quorum, q => Assert.True(Committed(cluster, q), $"offset {q.Offset} was not acknowledged at QUORUM"));
        Assert.DoesNotContain("on a and d 0", cluster.Bodies("b"));

        // a dies while c is still down; the ring names b leader with c and d. b cannot know
        // whether a started a later term with c before it died, so it waits for c (as it would
        // without substitutes); once c answers, b's sync finds the records on d.
        cluster.Crash("a");
        cluster.Assign(2, ["b", "c", "d"]);
        cluster.Run(1_000);
        cluster.Start("c");
        cluster.Run(2_000);

        Assert.Equal(ReplicaRole.Leading, cluster.Node("b").GetStatus(0)!.Role);
        foreach (var i in Enumerable.Range(0, 3))
        {
            Assert.Contains($"on a and d {i}", cluster.Bodies("b"));
            Assert.Contains($"on a and d {i}", cluster.Bodies("c"));
        }
    }

    [Fact]
    public void Without_a_chooser_a_down_follower_keeps_its_place_and_ALL_writes_are_refused()
    {
        var cluster = new TestCluster(["a", "b", "c", "d"]);
        cluster.Assign(1, Abc);
        cluster.Run(300);
        cluster.Crash("c");
        cluster.Run(1_500);

        var result = cluster.Propose("a", "at ALL", CommitLevel.All);

        Assert.Equal(ProposeStatus.CommitLevelCannotBeMet, result.Status);
        Assert.Equal(["b", "c"], cluster.Node("a").GetStatus(0)!.Followers.Select(f => f.Member).Order());
        Assert.Equal(ReplicaRole.None, cluster.Node("d").GetStatus(0)?.Role ?? ReplicaRole.None);
    }

    [Fact]
    public void No_substitute_is_placed_while_most_of_the_set_is_down_and_ONE_writes_go_on()
    {
        var cluster = Cluster();
        cluster.Crash("b");
        cluster.Crash("c");
        cluster.Run(1_500);

        var one = cluster.Propose("a", "at ONE", CommitLevel.One);
        cluster.Run(200);

        Assert.Equal(ProposeStatus.Accepted, one.Status);
        Assert.True(Committed(cluster, one));
        Assert.Equal(["b", "c"], cluster.Node("a").GetStatus(0)!.Followers.Select(f => f.Member).Order());
        Assert.Equal(0, cluster.Node("a").SubstitutionsStarted);
    }

    [Fact]
    public void A_substitute_that_goes_down_is_replaced_by_another()
    {
        var cluster = new TestCluster(["a", "b", "c", "d", "e"], configure: node => node.SubstituteChooser = InOrder("d", "e"));
        cluster.Assign(1, Abc);
        cluster.Run(300);
        cluster.Crash("c");
        cluster.Run(1_500);
        Assert.Contains(cluster.Node("a").GetStatus(0)!.Followers, f => f.Member == "d" && f.StandsInFor == "c");

        cluster.Crash("d");
        cluster.Run(1_500);
        var written = ProposeUntilAccepted(cluster, "on e", CommitLevel.All);
        cluster.Run(300);

        Assert.True(Committed(cluster, written));
        Assert.Contains(cluster.Node("a").GetStatus(0)!.Followers, f => f.Member == "e" && f.StandsInFor == "c");
        Assert.Contains("on e", cluster.Bodies("e"));
    }

    [Fact]
    public void A_replica_the_ring_moved_away_keeps_its_copy_until_its_replacement_holds_the_log()
    {
        var cluster = new TestCluster(["a", "b", "c", "d"]);
        cluster.Assign(1, Abc);
        cluster.Run(300);
        for (var i = 0; i < 3; i++)
        {
            cluster.Propose("a", $"event {i}", CommitLevel.All);
        }

        cluster.Run(300);

        cluster.Assign(2, ["a", "b", "d"]);
        cluster.Run(1_000, drop: e => e.To == "d" && e.Message.Items.Any(i => i is Append));
        Assert.Equal(["event 0", "event 1", "event 2"], cluster.Bodies("c"));
        Assert.Empty(cluster.Sent<Release>(to: "c"));

        cluster.Run(1_000);
        Assert.Equal(["event 0", "event 1", "event 2"], cluster.Bodies("d"));
        Assert.Empty(cluster.Bodies("c"));
        Assert.Equal(1, cluster.Node("c").SubstituteCopiesReleased);
    }

    [Fact]
    public void A_release_from_an_older_term_than_the_one_promised_is_answered_and_changes_nothing()
    {
        var cluster = Cluster();
        var promised = cluster.Node("c").GetStatus(0)!.Term;

        cluster.Node("c").Step("a", new PeerMessage([new Release(0, promised - 1)]));
        cluster.Process("c");

        Assert.Single(cluster.Sent<ReleaseAck>(from: "c", to: "a"));
        Assert.Equal(3, cluster.Bodies("c").Count);
        Assert.Equal(0, cluster.Node("c").SubstituteCopiesReleased);
    }

    [Fact]
    public void A_release_to_an_assigned_replica_keeps_its_copy()
    {
        var cluster = Cluster();
        var promised = cluster.Node("c").GetStatus(0)!.Term;

        cluster.Node("c").Step("a", new PeerMessage([new Release(0, promised)]));
        cluster.Process("c");

        Assert.Equal(3, cluster.Bodies("c").Count);
        Assert.Equal(ReplicaRole.Following, cluster.Node("c").GetStatus(0)!.Role);
    }
}
