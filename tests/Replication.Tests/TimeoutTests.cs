namespace DataCluster.Replication.Tests;

public sealed class TimeoutTests
{
    private static readonly string[] Abc = ["a", "b", "c"];

    [Fact]
    public void A_proposal_not_completed_in_time_times_out_and_its_record_may_still_commit_later()
    {
        var options = new ReplicationOptions { ProposalTimeoutMs = 500 };
        var cluster = new TestCluster(Abc, options);
        cluster.Assign(1, Abc);
        cluster.DeliverAll();
        cluster.Isolated.Add("b");
        cluster.Isolated.Add("c");

        var result = cluster.Propose("a", "late", CommitLevel.Quorum);
        cluster.Run(600);
        var completion = Assert.Single(cluster.Completions);
        Assert.Equal(result.Ticket, completion.Ticket);
        Assert.Equal(ProposalOutcome.TimedOut, completion.Outcome);
        Assert.Contains("may still be committed", completion.Reason, StringComparison.Ordinal);

        cluster.Isolated.Clear();
        cluster.Run(1000);
        Assert.Contains("late", cluster.Bodies("b"));
        Assert.True(cluster.Node("a").GetStatus(0)!.CommitOffset > result.Offset);
        Assert.Single(cluster.Completions);
    }

    [Fact]
    public void Options_are_validated_with_messages_that_say_how_to_fix_them()
    {
        Assert.Empty(new ReplicationOptions().Validate());
        var errors = new ReplicationOptions { PipelineWindow = 0, DownAfterMs = 50, HeartbeatIntervalMs = 100 }.Validate();
        Assert.Contains(errors, e => e.StartsWith("PipelineWindow is 0; set 1 or more", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("DownAfterMs (50) must exceed HeartbeatIntervalMs (100)", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => new ReplicaNode("a", p => new Storage.MemoryPartitionLog(p), new Storage.MemoryReplicaStateStore(), new ReplicationOptions { PipelineWindow = 0 }));
    }
}
