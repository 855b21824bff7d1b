namespace DataCluster.Replication.Tests;

/// <summary>The app's consumed offset: kept by the leader, replicated with appends and heartbeats, saved lazily, taken over by the next leader.</summary>
public sealed class ConsumptionTests
{
    private static readonly string[] Abc = ["a", "b", "c"];
    private static readonly string[] Bca = ["b", "c", "a"];

    /// <summary>A cluster where "a" leads partition 0 and five events are committed everywhere (offsets 1-5; 0 is the TermStart).</summary>
    private static TestCluster WithFiveCommitted()
    {
        var cluster = new TestCluster(Abc);
        cluster.Assign(1, Abc);
        cluster.DeliverAll();
        for (var i = 0; i < 5; i++)
        {
            Assert.True(cluster.Propose("a", $"event-{i}").IsAccepted);
        }

        cluster.Run(300);
        Assert.Equal(6, cluster.Node("a").GetStatus(0)!.CommitOffset);
        return cluster;
    }

    [Fact]
    public void The_leader_takes_a_consumed_offset_and_followers_learn_it_with_the_next_heartbeat()
    {
        var cluster = WithFiveCommitted();

        var result = cluster.Node("a").Consume(0, 4);
        cluster.Run(300);

        Assert.Equal(ConsumeStatus.Advanced, result.Status);
        Assert.Equal(4, result.ConsumedOffset);
        foreach (var id in Abc)
        {
            Assert.Equal(4, cluster.Node(id).GetStatus(0)!.ConsumedOffset);
        }

        Assert.Equal(new DeliveryPosition(TermNumbers.First(1), 6, 4), cluster.Node("a").DeliveryPosition(0));
        Assert.Null(cluster.Node("b").DeliveryPosition(0));
    }

    [Fact]
    public void An_offset_beyond_the_commit_point_is_refused_an_older_one_changes_nothing_and_a_follower_names_the_leader()
    {
        var cluster = WithFiveCommitted();
        cluster.Node("a").Consume(0, 4);

        var beyond = cluster.Node("a").Consume(0, 7);
        var older = cluster.Node("a").Consume(0, 2);
        var follower = cluster.Node("b").Consume(0, 5);
        var otherTerm = cluster.Node("a").Consume(0, 5, term: TermNumbers.First(1) + 1);
        cluster.Run(300);

        Assert.Equal(ConsumeStatus.BeyondCommit, beyond.Status);
        Assert.Equal(6, beyond.CommitOffset);
        Assert.Equal(ConsumeStatus.Unchanged, older.Status);
        Assert.Equal(4, older.ConsumedOffset);
        Assert.Equal(ConsumeStatus.NotLeader, follower.Status);
        Assert.Equal("a", follower.Leader);
        Assert.Equal(ConsumeStatus.NotLeader, otherTerm.Status);
        foreach (var id in Abc)
        {
            Assert.Equal(4, cluster.Node(id).GetStatus(0)!.ConsumedOffset);
        }
    }

    [Fact]
    public void Consumption_is_saved_with_the_next_state_save_or_after_the_interval_not_once_per_call()
    {
        var options = new ReplicationOptions();
        var cluster = WithFiveCommitted();
        var savedBefore = cluster.Members["a"].Store.Load()[0].ConsumedOffset;

        cluster.Node("a").Consume(0, 2);
        cluster.Node("a").Consume(0, 3);
        cluster.Process("a");
        var savedRightAfter = cluster.Members["a"].Store.Load()[0].ConsumedOffset;
        cluster.Run(options.ConsumedSaveIntervalMs + 100);

        Assert.Equal(0, savedBefore);
        Assert.Equal(0, savedRightAfter);
        foreach (var id in Abc)
        {
            Assert.Equal(3, cluster.Members[id].Store.Load()[0].ConsumedOffset);
        }
    }

    [Fact]
    public void A_restarted_follower_keeps_its_consumed_offset_and_a_new_leader_resumes_from_its_own()
    {
        var cluster = WithFiveCommitted();
        cluster.Node("a").Consume(0, 5);
        cluster.Run(new ReplicationOptions().ConsumedSaveIntervalMs + 200);

        cluster.Crash("b");
        cluster.Start("b");
        var afterRestart = cluster.Node("b").GetStatus(0)!.ConsumedOffset;
        cluster.Crash("a");
        cluster.Assign(2, Bca);
        cluster.Run(1000);

        Assert.Equal(5, afterRestart);
        var position = cluster.Node("b").DeliveryPosition(0);
        Assert.NotNull(position);
        Assert.Equal(5, position.Value.ConsumedOffset);
        Assert.True(position.Value.CommitOffset > 6, $"the new leader committed its TermStart: {position}");
        Assert.Equal(5, cluster.Node("c").GetStatus(0)!.ConsumedOffset);
    }

    [Fact]
    public async Task A_consumed_offset_saved_above_what_the_log_holds_is_lowered_to_the_commit_point_on_start()
    {
        var cluster = WithFiveCommitted();
        cluster.Node("a").Consume(0, 6);
        cluster.Run(new ReplicationOptions().ConsumedSaveIntervalMs + 200);
        var store = cluster.Members["c"].Store;
        var saved = store.Load()[0];
        await store.SaveAsync(new Dictionary<int, DataCluster.Storage.ReplicaState> { [0] = saved with { CommitOffset = 3, ConsumedOffset = 6 } }, TestContext.Current.CancellationToken);

        cluster.Crash("c");
        cluster.Start("c");

        var status = cluster.Node("c").GetStatus(0)!;
        Assert.Equal(3, status.CommitOffset);
        Assert.Equal(3, status.ConsumedOffset);
    }

    [Fact]
    public void A_new_leader_whose_own_consumed_offset_is_behind_resumes_from_the_highest_a_promiser_reports()
    {
        var cluster = WithFiveCommitted();

        // c misses the consumed offset (nothing reaches it), b learns it.
        cluster.Node("a").Consume(0, 5);
        cluster.Run(300, drop: e => e.To == "c");
        Assert.Equal(5, cluster.Node("b").GetStatus(0)!.ConsumedOffset);
        Assert.Equal(0, cluster.Node("c").GetStatus(0)!.ConsumedOffset);

        // a dies; the ring makes c the leader. Its own copy says 0; b's promise says 5.
        cluster.Crash("a");
        cluster.Assign(2, ["c", "b", "a"]);
        cluster.Run(1_000);

        var position = cluster.Node("c").DeliveryPosition(0);
        Assert.NotNull(position);
        Assert.Equal(5, position.Value.ConsumedOffset);
        Assert.True(position.Value.CommitOffset > 6, $"the new leader committed its TermStart: {position}");
    }
}
