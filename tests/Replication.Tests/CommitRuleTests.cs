using DataCluster.Replication.Messages;

namespace DataCluster.Replication.Tests;

public sealed class CommitRuleTests
{
    private static readonly string[] Abc = ["a", "b", "c"];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Records_of_an_earlier_term_commit_only_once_the_new_terms_TermStart_is_on_a_majority(bool breakTheRule)
    {
        var options = new ReplicationOptions
        {
            MaxBatchRecords = 1,
            PipelineWindow = 1,
            Unsafe = breakTheRule ? UnsafeRules.CommitEarlierTerms : UnsafeRules.None,
        };
        var cluster = new TestCluster(Abc, options);
        cluster.Assign(1, Abc);
        cluster.DeliverAll();

        // a's record reaches b only; a dies before committing it.
        cluster.Propose("a", "adopted");
        cluster.DeliverAll(drop: e => e.To == "c" || (e.To == "a" && e.Message.Items.Any(i => i is AppendAck)));
        cluster.Crash("a");

        // b leads epoch 2 with c: log [TermStart 1, adopted, TermStart 2]. c gets one record per batch.
        cluster.Assign(2, ["b", "c", "a"]);
        cluster.DeliverAll(drop: e => e.Message.Items.OfType<Append>().Any(a => a.Records.Count > 0 && a.Records[0].Offset > 1));
        Assert.Equal(ReplicaRole.Leading, cluster.Node("b").GetStatus(0)!.Role);
        Assert.Equal(2, cluster.Log("c").NextOffset);

        // A majority (b, c) now holds "adopted" (offset 1) but not b's TermStart (offset 2): only the
        // TermStart of epoch 1 (offset 0), committed before, is below the commit point.
        var commit = cluster.Node("b").GetStatus(0)!.CommitOffset;
        Assert.Equal(breakTheRule ? 2 : 1, commit);

        cluster.Run(1000);
        Assert.Equal(3, cluster.Node("b").GetStatus(0)!.CommitOffset);
    }

    [Fact]
    public async Task The_leader_counts_itself_only_for_what_it_has_flushed()
    {
        var cluster = new TestCluster(Abc);
        cluster.Assign(1, Abc);
        cluster.DeliverAll();

        var node = cluster.Node("a");
        var result = node.Propose(0, new byte[] { 1 }, null, new byte[] { 2 }, CommitLevel.One);
        var ready = node.TakeReady();
        Assert.Empty(ready.Completions);
        Assert.Contains(cluster.Log("a"), ready.LogsToFlush);
        await ready.LogsToFlush[0].FlushAsync(TestContext.Current.CancellationToken);
        node.Advance(ready);

        var next = node.TakeReady();
        var completion = Assert.Single(next.Completions);
        Assert.Equal(result.Ticket, completion.Ticket);
        Assert.Equal(ProposalOutcome.Acknowledged, completion.Outcome);
        node.Advance(next);
    }
}
