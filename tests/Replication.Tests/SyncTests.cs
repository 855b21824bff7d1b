using DataCluster.Replication.Messages;
using DataCluster.Ring;
using DataCluster.Storage;

namespace DataCluster.Replication.Tests;

public sealed class SyncTests
{
    private static readonly string[] Abc = ["a", "b", "c"];

    [Fact]
    public void A_new_leader_fetches_the_records_it_lacks_from_the_most_up_to_date_promiser()
    {
        var cluster = new TestCluster(Abc);
        cluster.Assign(1, Abc);
        cluster.DeliverAll();

        // a's writes reach b but not c; then a dies.
        cluster.Propose("a", "w1");
        cluster.Propose("a", "w2");
        cluster.DeliverAll(drop: e => e.To == "c");
        Assert.Equal(2, cluster.Completions.Count(c => c.Outcome == ProposalOutcome.Acknowledged));
        cluster.Crash("a");

        cluster.Assign(2, ["c", "b", "a"]);
        cluster.DeliverAll();

        var status = cluster.Node("c").GetStatus(0)!;
        Assert.Equal(ReplicaRole.Leading, status.Role);
        Assert.Equal(["w1", "w2"], cluster.Bodies("c"));
        var last = HappyPathTests.ReadAll(cluster.Log("c"))[^1];
        Assert.Equal(RecordKind.TermStart, last.Kind);
        Assert.Equal(TermNumbers.First(2), last.Term);
        Assert.Single(cluster.Completions.Where(c => c.Outcome == ProposalOutcome.Acknowledged), c => c.Offset == 2);
    }

    [Fact]
    public void A_new_leader_whose_fetch_source_goes_silent_chooses_another_source_in_a_new_term()
    {
        var options = new ReplicationOptions();
        var cluster = new TestCluster(Abc, options);
        cluster.Assign(1, Abc);
        cluster.DeliverAll();
        cluster.Propose("a", "w1");
        cluster.Propose("a", "w2");
        cluster.DeliverAll(drop: e => e.To == "c");
        Assert.Equal(2, cluster.Completions.Count(c => c.Outcome == ProposalOutcome.Acknowledged));

        // c leads next; b's promise comes first, so c fetches from b, which then goes silent.
        cluster.Assign(2, ["c", "b", "a"]);
        cluster.Deliver(cluster.InFlight.First(e => e.From == "c" && e.To == "b" && e.Message.Items.OfType<Prepare>().Any()));
        cluster.Deliver(cluster.InFlight.First(e => e.From == "b" && e.To == "c" && e.Message.Items.OfType<Promise>().Any()));
        Assert.Contains(cluster.InFlight, e => e.From == "c" && e.To == "b" && e.Message.Items.OfType<Fetch>().Any());
        cluster.Isolated.Add("b");

        cluster.Run(options.DownAfterMs + 1000);

        var status = cluster.Node("c").GetStatus(0)!;
        Assert.Equal(ReplicaRole.Leading, status.Role);
        Assert.True(status.Term > TermNumbers.First(2), "c syncs again in a new term");
        Assert.Equal(["w1", "w2"], cluster.Bodies("c"));
    }

    [Fact]
    public void A_syncing_leader_refuses_writes_with_a_retry_hint()
    {
        var cluster = new TestCluster(Abc);
        cluster.Assign(1, Abc);
        var result = cluster.Propose("a", "too early");
        Assert.Equal(ProposeStatus.Syncing, result.Status);
        Assert.True(result.RetryAfterMs > 0);

        var follower = cluster.Propose("b", "wrong member");
        Assert.Equal(ProposeStatus.NotLeader, follower.Status);
        Assert.Equal("a", follower.Leader);
    }

    [Fact]
    public void A_new_leader_truncates_its_own_divergent_suffix_before_leading()
    {
        var cluster = new TestCluster(Abc);
        cluster.Assign(1, Abc);
        cluster.DeliverAll();
        cluster.Propose("a", "kept");
        cluster.DeliverAll();

        // a appends two records nobody else gets, flushes them, and is cut off.
        cluster.Propose("a", "stray-1");
        cluster.Propose("a", "stray-2");
        cluster.InFlight.Clear();
        cluster.Isolated.Add("a");

        cluster.AssignTo(Assignment.Create(2, 1, 3, [["b", "c", "a"]]), "b", "c");
        cluster.DeliverAll();
        cluster.Propose("b", "new");
        cluster.DeliverAll();

        // Later a leads again (epoch 3) with b and c reachable: it must adopt b's log, not its own.
        cluster.Isolated.Remove("a");
        cluster.Assign(3, ["a", "b", "c"]);
        cluster.Run(300);
        Assert.Equal(ReplicaRole.Leading, cluster.Node("a").GetStatus(0)!.Role);
        Assert.Equal(["kept", "new"], cluster.Bodies("a"));
        Assert.Equal(cluster.Bodies("a"), cluster.Bodies("b"));
        Assert.Equal(cluster.Bodies("a"), cluster.Bodies("c"));
    }

    [Fact]
    public void A_follower_with_a_divergent_suffix_over_several_terms_is_repaired_in_one_round_trip()
    {
        var cluster = new TestCluster(Abc);
        cluster.Assign(1, Abc);
        cluster.DeliverAll();
        cluster.Propose("a", "base");
        cluster.DeliverAll();

        // c leads two terms alone in its log (epochs 2 and 3 with its writes never replicated).
        cluster.Isolated.Add("c");
        var epoch2 = Assignment.Create(2, 1, 3, [["c", "a", "b"]]);
        cluster.AssignTo(epoch2, "c");
        cluster.Isolated.Remove("c");
        cluster.DeliverAll();
        cluster.Propose("c", "c-1");
        cluster.InFlight.Clear();
        cluster.Crash("c");
        cluster.Start("c");
        cluster.AssignTo(epoch2, "c");
        cluster.DeliverAll(drop: e => e.From == "c" && e.Message.Items.Any(i => i is Append));
        cluster.Propose("c", "c-2");
        cluster.InFlight.Clear();
        Assert.True(cluster.Log("c").Terms.Count >= 3);

        // epoch 4: a leads with b; c must drop c-1 and c-2.
        cluster.Assign(4, ["a", "b", "c"]);
        var mismatches = 0;
        cluster.DeliverAll(drop: e =>
        {
            mismatches += e.Message.Items.OfType<AppendMismatch>().Count();
            return false;
        });
        cluster.Run(200);
        Assert.Equal(cluster.Bodies("a"), cluster.Bodies("c"));
        Assert.DoesNotContain("c-1", cluster.Bodies("c"));
        Assert.True(mismatches <= 1, $"{mismatches} mismatch round trips");
    }
}
