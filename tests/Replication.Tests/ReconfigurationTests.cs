using DataCluster.Ring;
using DataCluster.Replication.Messages;
using DataCluster.Storage;

namespace DataCluster.Replication.Tests;

public sealed class ReconfigurationTests
{
    private static readonly string[] Abcd = ["a", "b", "c", "d"];

    /// <summary>{a,b,c} led by a, a write acknowledged by a and c only, then c crashes and the ring replaces it by d.</summary>
    private static (TestCluster Cluster, long Offset) ReplacedAfterACrash(ReplicationOptions? options = null)
    {
        var cluster = new TestCluster(Abcd, options);
        cluster.Assign(1, ["a", "b", "c"]);
        cluster.DeliverAll();
        var write = cluster.Propose("a", "acknowledged by a and c");
        cluster.DeliverAll(drop: e => e.To == "b");
        Assert.Contains(cluster.Completions, c => c.Ticket == write.Ticket && c.Outcome == ProposalOutcome.Acknowledged);
        Assert.DoesNotContain("acknowledged by a and c", cluster.Bodies("b"));
        cluster.Crash("c");
        return (cluster, write.Offset);
    }

    [Fact]
    public void A_leader_of_a_new_replica_set_needs_a_majority_of_the_set_it_replaces()
    {
        var (cluster, offset) = ReplacedAfterACrash();

        // b leads {b,a,d}: b and d are a majority of the new set but only one of {a,b,c}.
        cluster.Assign(2, ["b", "a", "d"]);
        cluster.DeliverAll(drop: e => e.From == "a" || e.To == "a");
        Assert.Equal(ReplicaRole.Syncing, cluster.Node("b").GetStatus(0)!.Role);

        // Once a answers, b adopts a's log, which holds the acknowledged write.
        cluster.Run(300);
        Assert.Equal(ReplicaRole.Leading, cluster.Node("b").GetStatus(0)!.Role);
        Assert.Contains("acknowledged by a and c", cluster.Bodies("b"));
        Assert.Equal(offset, HappyPathTests.ReadAll(cluster.Log("b")).First(r => TestCluster.BodyOf(r) == "acknowledged by a and c").Offset);
    }

    [Fact]
    public void Without_the_earlier_set_rule_the_new_leader_loses_the_acknowledged_write()
    {
        var (cluster, _) = ReplacedAfterACrash(new ReplicationOptions { Unsafe = UnsafeRules.SkipEarlierReplicaSets });
        cluster.Assign(2, ["b", "a", "d"]);
        cluster.DeliverAll(drop: e => e.From == "a" || e.To == "a");

        Assert.Equal(ReplicaRole.Leading, cluster.Node("b").GetStatus(0)!.Role);
        Assert.DoesNotContain("acknowledged by a and c", cluster.Bodies("b"));
    }

    [Fact]
    public void Earlier_sets_are_remembered_durably_and_retired_once_a_term_of_the_new_set_commits()
    {
        var (cluster, _) = ReplacedAfterACrash();
        cluster.Assign(2, ["b", "a", "d"]);
        var saved = cluster.Members["d"].Store;

        // Before b's term commits, d (new) has learned nothing yet; b remembers {a,b,c}.
        cluster.Node("b").Step("a", new PeerMessage([]));
        Assert.Contains(cluster.Members["b"].Store.Load()[0].EarlierReplicaSets ?? [], set => set.Order().SequenceEqual(["a", "b", "c"]));

        cluster.Run(500);
        Assert.Equal(ReplicaRole.Leading, cluster.Node("b").GetStatus(0)!.Role);
        Assert.Null(cluster.Members["b"].Store.Load()[0].EarlierReplicaSets);
        Assert.Null(saved.Load()[0].EarlierReplicaSets);

        // Now a leader of the new set needs only a majority of it: d leads with a unreachable.
        cluster.Assign(3, ["d", "b", "a"]);
        cluster.DeliverAll(drop: e => e.From == "a" || e.To == "a");
        Assert.Equal(ReplicaRole.Leading, cluster.Node("d").GetStatus(0)!.Role);
        Assert.Contains("acknowledged by a and c", cluster.Bodies("d"));
    }

    [Fact]
    public void A_replica_that_promises_a_term_of_another_set_remembers_the_set_it_promised_before()
    {
        var store = new MemoryReplicaStateStore();
        var node = new ReplicaNode("x", p => new MemoryPartitionLog(p), store, new ReplicationOptions());
        node.Step("a", new PeerMessage([new Prepare(0, TermNumbers.First(1), ["a", "x", "c"])]));
        Persist(node, store);
        node.Step("d", new PeerMessage([new Prepare(0, TermNumbers.First(2), ["d", "x", "e"])]));
        Persist(node, store);

        var state = store.Load()[0];
        Assert.Equal("d", state.PromisedTo);
        var earlier = Assert.Single(state.EarlierReplicaSets!);
        Assert.Equal(["a", "x", "c"], earlier);
    }

    [Fact]
    public void A_replica_that_promises_a_term_of_another_set_remembers_its_assignments_set_it_promised_before()
    {
        // The assignment is not durable (a restarted member sees only the newest), so the set of
        // the promise replaced must be remembered even when it is the assignment's.
        var store = new MemoryReplicaStateStore();
        var node = new ReplicaNode("x", p => new MemoryPartitionLog(p), store, new ReplicationOptions());
        node.SetAssignment(Assignment.Create(1, 1, 3, [["a", "x", "c"]]));
        Persist(node, store);
        node.Step("a", new PeerMessage([new Prepare(0, TermNumbers.First(1), ["a", "x", "c"])]));
        Persist(node, store);
        node.Step("d", new PeerMessage([new Prepare(0, TermNumbers.First(2), ["d", "x", "c"])]));
        Persist(node, store);

        var state = store.Load()[0];
        Assert.Equal("d", state.PromisedTo);
        Assert.Equal(["a", "x", "c"], Assert.Single(state.EarlierReplicaSets!));
    }

    [Fact]
    public void A_member_that_crashes_before_saving_a_new_assignment_still_knows_the_set_it_replaced_after_a_restart()
    {
        // The assignment is not durable: restarted, x sees only the newest one. The set it took
        // before, saved with its state, tells it which set that one replaced.
        var store = new MemoryReplicaStateStore();
        var logs = new Dictionary<int, MemoryPartitionLog>();
        MemoryPartitionLog Log(int p) => logs.TryGetValue(p, out var log) ? log : logs[p] = new MemoryPartitionLog(p);
        var node = new ReplicaNode("x", Log, store, new ReplicationOptions());
        node.SetAssignment(Assignment.Create(1, 1, 3, [["a", "x", "c"]]));
        Persist(node, store);
        Assert.Equal(["a", "x", "c"], store.Load()[0].AssignedReplicas);
        var moved = Assignment.Create(2, 1, 3, [["x", "a", "d"]]);
        node.SetAssignment(moved);

        // The crash comes before the Ready that would have saved what the new assignment replaced.
        var restarted = new ReplicaNode("x", Log, store, new ReplicationOptions());
        restarted.SetAssignment(moved);
        var ready = Persist(restarted, store);

        var state = store.Load()[0];
        Assert.Equal(["a", "x", "c"], Assert.Single(state.EarlierReplicaSets!));
        Assert.Equal(["x", "a", "d"], state.AssignedReplicas);
        // Its prepare goes to c too: it needs a majority of the replaced set.
        Assert.Contains(ready.SendAfterPersist, m => m.To == "c" && m.Message.Items.OfType<Prepare>().Any());
    }

    [Fact]
    public void A_leader_finds_a_write_of_a_set_that_its_only_promiser_knew_as_its_assignment()
    {
        // d leads {d,b,c} and gets a write acknowledged by d and b; c promised d's term but holds
        // only the term before it, of {a,b,c}. d is replaced by e, which starts knowing only the
        // newest assignment, while c is still on d's. e's first attempt learns {d,b,c} from c's
        // prior promise; its second attempt, after a restart, hears c's prior promise of e's own
        // first attempt. Only c's memory of {d,b,c} keeps e from leading on a and c, which lack the write.
        var cluster = new TestCluster(["a", "b", "c", "d", "e"]);
        cluster.Crash("d");
        cluster.Crash("e");
        cluster.Assign(1, ["a", "b", "c"]);
        cluster.Run(300);
        cluster.Propose("a", "before");
        cluster.Run(300);
        cluster.Crash("a");
        cluster.Start("d");
        // c gets d's prepare, nothing of its term's log.
        static bool LogToC(Envelope e) => e.To == "c" && e.Message.Items.Any(i => i is Append or Heartbeat);
        cluster.Assign(2, ["d", "b", "c"]);
        cluster.Run(300, drop: LogToC);
        Assert.Equal(ReplicaRole.Leading, cluster.Node("d").GetStatus(0)!.Role);
        cluster.Propose("d", "acknowledged by d and b");
        cluster.Run(300, drop: LogToC);
        Assert.Contains(cluster.Completions, c => c.Outcome == ProposalOutcome.Acknowledged);
        Assert.DoesNotContain("acknowledged by d and b", cluster.Bodies("c"));

        cluster.Crash("d");
        var replaced = Assignment.Create(3, 1, 3, [["e", "b", "c"]]);
        cluster.Isolated.Add("b");
        cluster.Start("e", replaced);
        cluster.Run(300);
        Assert.Equal(ReplicaRole.Syncing, cluster.Node("e").GetStatus(0)!.Role);

        cluster.Start("a", replaced);
        cluster.Crash("e");
        cluster.Start("e", replaced);
        cluster.Run(500);
        Assert.Equal(ReplicaRole.Syncing, cluster.Node("e").GetStatus(0)!.Role);

        cluster.Isolated.Remove("b");
        cluster.Run(500);
        Assert.Equal(ReplicaRole.Leading, cluster.Node("e").GetStatus(0)!.Role);
        Assert.Contains("acknowledged by d and b", cluster.Bodies("e"));
    }

    [Fact]
    public void A_promise_reports_the_earlier_sets_and_the_replica_set_of_the_last_log_term()
    {
        var (cluster, _) = ReplacedAfterACrash();
        cluster.Assign(2, ["b", "a", "d"]);
        var prepare = cluster.InFlight.First(e => e.From == "b" && e.To == "a" && e.Message.Items.Any(i => i is Prepare));
        cluster.Deliver(prepare);

        var promise = cluster.Sent<Promise>("a", "b").Single();
        Assert.Equal(TermNumbers.First(2), promise.Term);
        Assert.Equal(TermNumbers.First(1), promise.PriorTerm);
        Assert.Equal(["a", "b", "c"], promise.PriorReplicas);
        Assert.Equal(TermNumbers.First(1), promise.LastTerm);
        Assert.Equal(["a", "b", "c"], promise.LastTermReplicas);
        Assert.Equal(["a", "b", "c"], Assert.Single(promise.EarlierReplicaSets));
        Assert.Equal(2, promise.NextOffset);
    }

    [Fact]
    public void A_leader_that_hears_only_from_members_that_know_nothing_of_the_partition_waits_for_the_rest_of_its_set()
    {
        var cluster = new TestCluster(["a", "b", "c", "d", "e"]);
        cluster.Crash("d");
        cluster.Crash("e");
        cluster.Assign(1, ["a", "b", "c"]);
        cluster.DeliverAll();

        // c is replaced by d (down): a leads {a,b,d} with b, and a write is acknowledged by a and b.
        cluster.Assign(2, ["a", "b", "d"]);
        cluster.DeliverAll();
        Assert.Equal(ReplicaRole.Leading, cluster.Node("a").GetStatus(0)!.Role);
        cluster.Propose("a", "acknowledged by a and b");
        cluster.DeliverAll();
        Assert.Contains(cluster.Completions, c => c.Outcome == ProposalOutcome.Acknowledged);

        // b is replaced by e, which leads; d and e start knowing only this newest assignment.
        cluster.Assign(3, ["e", "a", "d"]);
        cluster.Start("d");
        cluster.Start("e");

        // e and d are a majority of {e,a,d} but neither knows anything: e must not lead on their word.
        cluster.Run(300, drop: e => e.From is "a" or "b" || e.To is "a" or "b");
        Assert.Equal(ReplicaRole.Syncing, cluster.Node("e").GetStatus(0)!.Role);

        cluster.Run(300);
        Assert.Equal(ReplicaRole.Leading, cluster.Node("e").GetStatus(0)!.Role);
        Assert.Contains("acknowledged by a and b", cluster.Bodies("e"));
    }

    /// <summary>Carries out one Ready (flush, save, advance) and returns it.</summary>
    private static Ready Persist(ReplicaNode node, MemoryReplicaStateStore store)
    {
        var ready = node.TakeReady();
        foreach (var log in ready.LogsToFlush)
        {
            _ = log.FlushAsync(TestContext.Current.CancellationToken);
        }

        _ = store.SaveAsync(ready.StatesToSave, TestContext.Current.CancellationToken);
        node.Advance(ready);
        return ready;
    }

    [Fact]
    public void An_assignment_that_arrives_after_its_set_committed_a_term_leaves_no_earlier_set_to_wait_for()
    {
        // a leads {a,b,c}; the ring replaces c (gone for good) by d. a and d see the change at
        // once; b only after a's term of {a,b,d} committed its TermStart and b learned it.
        var cluster = new TestCluster(["a", "b", "c", "d"]);
        cluster.Assign(1, ["a", "b", "c"]);
        cluster.Run(300);
        cluster.Crash("c");
        var moved = Assignment.Create(2, 1, 3, [["a", "b", "d"]]);
        cluster.AssignTo(moved, "a", "d");
        cluster.Run(500);
        Assert.Equal(ReplicaRole.Leading, cluster.Node("a").GetStatus(0)!.Role);
        Assert.Null(cluster.Members["b"].Store.Load()[0].EarlierReplicaSets);
        cluster.AssignTo(moved, "b");
        cluster.Run(500);

        // a dies; b leads {b,d,a}. Only a majority of {b,d,a} and of {a,b,d} is needed: {a,b,c}
        // was covered by a's committed term, so b must not wait for a or c.
        cluster.Crash("a");
        cluster.Assign(3, ["b", "d", "a"]);
        cluster.Run(1_000);

        Assert.Equal(ReplicaRole.Leading, cluster.Node("b").GetStatus(0)!.Role);
    }

    [Fact]
    public void Followers_hear_at_once_that_a_terms_TermStart_committed_so_a_leader_crash_right_after_leaves_no_earlier_set_to_wait_for()
    {
        // A ring that forms in two steps: the first assignment names b alone, the next one, a
        // moment later, all three. a and c keep {b} as an earlier set until they learn that b's
        // term of {b,a,c} committed its TermStart. No time passes here, so no heartbeat carries
        // the commit point: only the leader's notice when the commit passed its TermStart.
        var cluster = new TestCluster(["a", "b", "c"]);
        cluster.Assign(1, ["b"]);
        cluster.DeliverAll();
        cluster.Assign(2, ["b", "a", "c"]);

        // The write arrives as soon as b leads, before its TermStart has committed: both commit
        // with the same acknowledgements, so no append after them tells a and c.
        while (cluster.Node("b").GetStatus(0)!.Role != ReplicaRole.Leading)
        {
            cluster.Deliver(cluster.InFlight[0]);
        }

        var write = cluster.Propose("b", "acknowledged before the crash");
        cluster.DeliverAll();
        Assert.Contains(cluster.Completions, c => c.Ticket == write.Ticket && c.Outcome == ProposalOutcome.Acknowledged);
        Assert.Null(cluster.Members["a"].Store.Load()[0].EarlierReplicaSets);
        Assert.Null(cluster.Members["c"].Store.Load()[0].EarlierReplicaSets);

        // b dies right after the acknowledgement and stays down: a leads with c, without b.
        cluster.Crash("b");
        cluster.Assign(3, ["a", "c"]);
        cluster.Run(1_000);
        Assert.Equal(ReplicaRole.Leading, cluster.Node("a").GetStatus(0)!.Role);
        Assert.Contains("acknowledged before the crash", cluster.Bodies("a"));
    }
}
