using System.Text;
using DataCluster.Agent.Configuration;
using DataCluster.Agent.DataPlane;
using DataCluster.Contracts;
using DataCluster.Replication;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.Agent.Tests.DataPlane;

/// <summary>
/// Stand-ins for a down follower on the data planes of four members in one process: the
/// agent's chooser picks the member outside the replica set, ALL writes are acknowledged through
/// it, and once the follower is back the stand-in hands over and drops its copy.
/// </summary>
public sealed class SubstituteDataPlaneTests
{
    private const int Partition = 4;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static WriteRequest Write(string body) =>
        new(Partition, Encoding.UTF8.GetBytes("k"), "text/plain", Encoding.UTF8.GetBytes(body), CommitLevel.All, null, -1);

    /// <summary>Writes until acknowledged: the first writes meet a syncing leader, those right after the stop a follower not yet known down.</summary>
    private static async Task<WriteOutcome> WriteAcknowledgedAsync(InProcessCluster cluster, string leader, string body)
    {
        WriteOutcome? outcome = null;
        await Eventually.UntilAsync(async () =>
        {
            outcome = await cluster[leader].WriteAsync(Write(body), Ct);
            return outcome.Status == WriteStatus.Acknowledged;
        }, TimeSpan.FromSeconds(30), $"the ALL write '{body}' is acknowledged", () => $"last outcome {outcome}");
        return outcome!;
    }

    [Fact]
    public async Task All_writes_are_acknowledged_through_a_stand_in_that_hands_over_and_drops_its_copy_once_the_follower_is_back()
    {
        await using var cluster = new InProcessCluster(4, substitutes: true);
        cluster.Assign();
        var leader = cluster.LeaderOf(Partition);
        var set = cluster.Assignment.ReplicasOf(Partition).ToArray();
        var follower = set.First(id => id != leader);
        var outside = cluster.Ids.Single(id => !set.Contains(id));
        await WriteAcknowledgedAsync(cluster, leader, "before");

        await cluster.StopAsync(follower);
        string[] during = ["during-0", "during-1", "during-2", "during-3", "during-4"];
        foreach (var body in during)
        {
            await WriteAcknowledgedAsync(cluster, leader, body);
        }

        await Eventually.UntilAsync(
            () => cluster[leader].StatusOf(Partition)!.Followers.Any(f => f.Member == outside && f.StandsInFor == follower),
            TimeSpan.FromSeconds(5), $"the leader shows {outside} standing in for {follower}", () => $"{cluster[leader].StatusOf(Partition)}");
        await Eventually.UntilAsync(
            () => cluster[outside].StatusOf(Partition)?.Role == ReplicaRole.Substitute && cluster[outside].Substitutes is { PartitionsHeld: >= 1, RecordsHeld: > 0 },
            TimeSpan.FromSeconds(10), $"{outside} holds partition {Partition} as a stand-in", () => $"{cluster[outside].StatusOf(Partition)} {cluster[outside].Substitutes}");
        // The copy's age counts from the status refresh that first showed it, in milliseconds: read
        // in that same millisecond it is still zero.
        await Eventually.UntilAsync(() => cluster[outside].OldestSubstituteCopyAge > TimeSpan.Zero,
            TimeSpan.FromSeconds(5), $"{outside} reports the age of its stand-in copy", () => $"{cluster[outside].OldestSubstituteCopyAge}");
        await Eventually.UntilAsync(() => cluster[leader].Substitutes.Started >= 1, TimeSpan.FromSeconds(5), "the leader counts the stand-in it put in place");

        cluster.Start(follower);
        // Every partition of the stopped member that a stand-in took is handed back.
        await Eventually.UntilAsync(
            () => cluster[outside].Substitutes is { PartitionsHeld: 0, Released: >= 1 }
                && cluster[leader].StatusOf(Partition)!.Followers.All(f => f.StandsInFor is null && f.Member != outside),
            TimeSpan.FromSeconds(30), $"{outside} hands partition {Partition} back to {follower} and drops its copy",
            () => $"stand-in {cluster[outside].StatusOf(Partition)} {cluster[outside].Substitutes}; leader {cluster[leader].StatusOf(Partition)}");
        Assert.Equal(TimeSpan.Zero, cluster[outside].OldestSubstituteCopyAge);

        // The follower holds every acknowledged write, in order (attempts that were not
        // acknowledged may be there too, as a client is told).
        string[] acknowledged = ["before", .. during];
        await Eventually.UntilAsync(
            async () => Bodies(await cluster[follower].ReadAsync(Partition, -1, 1000, null, Ct)).Where(acknowledged.Contains).Distinct().Count() == acknowledged.Length,
            TimeSpan.FromSeconds(10), $"{follower} has committed every write acknowledged while it was down");
        var held = Bodies(await cluster[follower].ReadAsync(Partition, -1, 1000, null, Ct)).Where(acknowledged.Contains).Distinct().ToArray();
        Assert.Equal(acknowledged, held);
    }

    [Fact]
    public async Task With_stand_ins_off_all_writes_are_refused_while_a_follower_is_down_even_with_a_member_outside_the_set()
    {
        await using var cluster = new InProcessCluster(4, substitutes: false);
        cluster.Assign();
        var leader = cluster.LeaderOf(Partition);
        var set = cluster.Assignment.ReplicasOf(Partition).ToArray();
        var follower = set.First(id => id != leader);
        var outside = cluster.Ids.Single(id => !set.Contains(id));
        await WriteAcknowledgedAsync(cluster, leader, "before");

        await cluster.StopAsync(follower);
        WriteOutcome? all = null;
        await Eventually.UntilAsync(async () =>
        {
            all = await cluster[leader].WriteAsync(Write("all while down"), Ct);
            return all.Status == WriteStatus.CommitLevelCannotBeMet;
        }, TimeSpan.FromSeconds(10), "an ALL write is refused while a replica is down", () => $"last answer {all}");

        Assert.NotEqual(ReplicaRole.Substitute, cluster[outside].StatusOf(Partition)?.Role);
        Assert.Equal(0, cluster[outside].Substitutes.PartitionsHeld);
        Assert.DoesNotContain(cluster[leader].StatusOf(Partition)!.Followers, f => f.StandsInFor is not null);
        Assert.Equal(0, cluster[leader].Substitutes.Started);
    }

    [Fact]
    public void The_agent_gives_its_data_plane_a_chooser_only_when_substitutes_are_on()
    {
        var environment = new Dictionary<string, string>
        {
            [AgentEnvironment.ClusterName] = "dc",
            [AgentEnvironment.PodName] = "dc-1",
            [AgentEnvironment.PodNamespace] = "test",
            [AgentEnvironment.PodIp] = "10.0.0.1",
            [AgentEnvironment.ReplicationFactor] = "3",
            [AgentEnvironment.OtherZoneReplicas] = "1",
        };
        var on = AgentOptionsReader.Read(name => environment.GetValueOrDefault(name));
        environment[AgentEnvironment.Substitutes] = "false";
        var off = AgentOptionsReader.Read(name => environment.GetValueOrDefault(name));
        Ring.Member[] members = [new("dc-0", 0, "a", "r")];

        var substitutes = AgentHost.DataPlaneOptionsOf(on, () => members).Substitutes;

        Assert.NotNull(substitutes);
        Assert.Equal(new Ring.AssignmentSettings(256, 3, OtherZoneReplicas: 1), substitutes.Placement);
        Assert.Same(members, substitutes.Members());
        Assert.Null(AgentHost.DataPlaneOptionsOf(off, () => members).Substitutes);
        Assert.Null(AgentHost.DataPlaneOptionsOf(on).Substitutes);
    }

    private static IEnumerable<string> Bodies(ReadOutcome? read) =>
        read?.Records.Select(r => Encoding.UTF8.GetString(r.Body.Span)) ?? [];
}
