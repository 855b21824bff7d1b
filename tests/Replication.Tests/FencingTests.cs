using DataCluster.Replication.Messages;

namespace DataCluster.Replication.Tests;

public sealed class FencingTests
{
    private static readonly string[] Abc = ["a", "b", "c"];

    [Fact]
    public void A_promise_is_saved_before_it_is_sent()
    {
        var cluster = new TestCluster(Abc);
        var node = cluster.Node("b");
        node.Step("a", new PeerMessage([new Prepare(0, TermNumbers.First(1), Abc)]));

        var ready = node.TakeReady();
        Assert.Equal(TermNumbers.First(1), ready.StatesToSave[0].PromisedTerm);
        Assert.Equal("a", ready.StatesToSave[0].PromisedTo);
        Assert.Empty(ready.SendNow);
        var promise = Assert.Single(ready.SendAfterPersist.SelectMany(m => m.Message.Items).OfType<Promise>());
        Assert.Equal(TermNumbers.First(1), promise.Term);
        node.Advance(ready);
    }

    [Fact]
    public void A_replica_refuses_a_lower_term_and_the_same_term_from_another_leader_and_says_its_term()
    {
        var cluster = new TestCluster(Abc);
        var node = cluster.Node("c");
        var term = TermNumbers.First(2);
        node.Step("a", new PeerMessage([new Prepare(0, term, Abc)]));
        cluster.Process("c");
        cluster.InFlight.Clear();

        node.Step("b", new PeerMessage([new Prepare(0, term - 1, Abc), new Prepare(0, term, Abc), new Append(0, term - 1, -1, 0, [], 0)]));
        cluster.Process("c");

        var refusals = cluster.Sent<Refusal>("c", "b").ToList();
        Assert.Equal(3, refusals.Count);
        Assert.All(refusals, r => Assert.Equal(RefusalReason.StaleTerm, r.Reason));
        Assert.All(refusals, r => Assert.Equal(term, r.PromisedTerm));
        Assert.All(refusals, r => Assert.Equal("a", r.PromisedTo));
        Assert.Empty(cluster.Sent<Promise>("c", "b"));
    }

    [Fact]
    public void An_append_from_a_term_not_yet_promised_asks_for_a_prepare()
    {
        var cluster = new TestCluster(Abc);
        cluster.Node("c").Step("a", new PeerMessage([new Append(0, TermNumbers.First(1), -1, 0, [], 0)]));
        cluster.Process("c");
        var refusal = Assert.Single(cluster.Sent<Refusal>("c", "a"));
        Assert.Equal(RefusalReason.NotPrepared, refusal.Reason);
        Assert.Equal(0, cluster.Log("c").NextOffset);
    }

    [Fact]
    public void A_deposed_leader_never_gets_a_write_acknowledged_and_fails_its_pending_writes()
    {
        var cluster = new TestCluster(Abc);
        cluster.Assign(1, Abc);
        cluster.DeliverAll();
        Assert.True(cluster.Propose("a", "committed").IsAccepted);
        cluster.DeliverAll();

        // A newer assignment makes b the leader; a has not seen it yet and keeps acting on epoch 1.
        var next = Ring.Assignment.Create(2, 1, 3, [["b", "a", "c"]]);
        cluster.AssignTo(next, "b", "c");
        cluster.DeliverAll(drop: e => e.To == "a" || e.From == "a");
        Assert.Equal(ReplicaRole.Leading, cluster.Node("b").GetStatus(0)!.Role);

        var stale = cluster.Propose("a", "from the deposed leader");
        Assert.True(stale.IsAccepted);
        cluster.DeliverAll();

        var completion = Assert.Single(cluster.Completions, c => c.Ticket == stale.Ticket);
        Assert.Equal(ProposalOutcome.NotAcknowledged, completion.Outcome);
        Assert.Contains("promised term", completion.Reason, StringComparison.Ordinal);
        Assert.NotEqual(ReplicaRole.Leading, cluster.Node("a").GetStatus(0)!.Role);
        Assert.DoesNotContain("from the deposed leader", cluster.Bodies("b"));
        Assert.DoesNotContain("from the deposed leader", cluster.Bodies("c"));

        // Once a sees the assignment it follows b and its stray record is truncated.
        cluster.AssignTo(next, "a");
        cluster.Run(300);
        Assert.Equal(cluster.Bodies("b"), cluster.Bodies("a"));
        Assert.Equal(["committed"], cluster.Bodies("a"));
    }

    [Fact]
    public void A_leader_that_sees_a_higher_prepare_steps_down_and_fails_its_pending_writes()
    {
        var cluster = new TestCluster(Abc);
        cluster.Assign(1, Abc);
        cluster.DeliverAll();
        var pending = cluster.Propose("a", "never acknowledged");
        cluster.InFlight.Clear();

        cluster.Node("a").Step("b", new PeerMessage([new Prepare(0, TermNumbers.First(2), ["b", "a", "c"])]));
        cluster.Process("a");

        var completion = Assert.Single(cluster.Completions);
        Assert.Equal(pending.Ticket, completion.Ticket);
        Assert.Equal(ProposalOutcome.NotAcknowledged, completion.Outcome);
        Assert.Equal(ReplicaRole.Following, cluster.Node("a").GetStatus(0)!.Role);
        var refused = cluster.Propose("a", "late");
        Assert.Equal(ProposeStatus.NotLeader, refused.Status);
        Assert.Equal("b", refused.Leader);
    }

    [Fact]
    public void A_leader_restarted_before_its_term_was_used_takes_a_higher_attempt_in_the_same_epoch()
    {
        var cluster = new TestCluster(Abc);
        cluster.Assign(1, Abc);
        cluster.DeliverAll();
        Assert.Equal(TermNumbers.First(1), cluster.Node("a").GetStatus(0)!.Term);

        cluster.Crash("a");
        cluster.Start("a");
        cluster.DeliverAll();
        var status = cluster.Node("a").GetStatus(0)!;
        Assert.Equal(ReplicaRole.Leading, status.Role);
        Assert.Equal(TermNumbers.First(1) + 1, status.Term);
    }
}
