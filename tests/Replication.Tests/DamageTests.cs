using DataCluster.Storage;

namespace DataCluster.Replication.Tests;

/// <summary>
/// A record that fails its checksum on the replication path (a leader reading its log for a
/// follower) takes that one partition out of play on that member; the member's other partitions
/// and the partition's other replicas carry on, and nothing stored is dropped.
/// </summary>
public sealed class DamageTests
{
    private static readonly string[] Abc = ["a", "b", "c"];

    [Fact]
    public void A_leader_that_meets_a_damaged_record_while_catching_a_follower_up_quarantines_only_that_partition()
    {
        var cluster = new TestCluster(Abc);
        cluster.Assign(1, Abc, Abc);
        cluster.DeliverAll();

        // c misses three records of each partition; ALL on partition 0 then waits for it.
        cluster.Isolated.Add("c");
        for (var i = 0; i < 3; i++)
        {
            cluster.Propose("a", $"p0-{i}", partition: 0);
            cluster.Propose("a", $"p1-{i}", partition: 1);
        }

        cluster.DeliverAll();
        var waiting = cluster.Propose("a", "p0-all", CommitLevel.All, partition: 0);
        cluster.DeliverAll();
        Assert.DoesNotContain(cluster.Completions, c => c.Ticket == waiting.Ticket);
        var logEnd = cluster.Log("a", 0).NextOffset;
        var held = cluster.Bodies("a", 0);

        // The first record c lacks is damaged on a's disk; c comes back and a reads it to send it.
        var firstMissing = cluster.Log("c", 0).NextOffset;
        cluster.Log("a", 0).Damage(firstMissing);
        cluster.Isolated.Remove("c");
        cluster.Run(2_000);

        var (member, damage) = Assert.Single(cluster.Damaged);
        Assert.Equal(("a", 0), (member, damage.Partition));
        Assert.Contains("checksum", damage.Reason, StringComparison.Ordinal);
        Assert.Equal(ReplicaRole.Damaged, cluster.Node("a").GetStatus(0)!.Role);
        Assert.Contains(cluster.Node("a").GetStatuses(), s => s.Partition == 0 && s.Role == ReplicaRole.Damaged);

        // The write waiting on partition 0 is answered (not acknowledged), later ones refused with a reason.
        Assert.Contains(cluster.Completions, c => c.Ticket == waiting.Ticket && c.Outcome == ProposalOutcome.NotAcknowledged);
        var refused = cluster.Propose("a", "p0-after", partition: 0);
        Assert.Equal(ProposeStatus.Damaged, refused.Status);
        Assert.Contains("damaged", refused.Message, StringComparison.Ordinal);

        // Nothing a held was dropped: the damaged copy is left as it was for whoever replaces it.
        Assert.Equal((logEnd, logEnd), (cluster.Log("a", 0).NextOffset, cluster.Log("a", 0).DurableOffset));

        // Partition 1 on the same member carries on: c catches up and a new QUORUM write is acknowledged.
        var next = cluster.Propose("a", "p1-after", CommitLevel.All, partition: 1);
        cluster.Run(500);
        Assert.Equal(ProposeStatus.Accepted, next.Status);
        Assert.Contains(cluster.Completions, c => c.Ticket == next.Ticket && c.Outcome == ProposalOutcome.Acknowledged);
        Assert.Equal(cluster.Bodies("a", 1), cluster.Bodies("c", 1));

        // The damage is reported once, however long the member runs.
        cluster.Run(2_000);
        Assert.Single(cluster.Damaged);
        Assert.Equal(ReplicaRole.Following, cluster.Node("b").GetStatus(0)!.Role);
        Assert.Equal(held, cluster.Bodies("b", 0));
    }
}
