using DataCluster.Agent.Assignments;
using DataCluster.Agent.Observability;
using DataCluster.Agent.Tests.Support;
using DataCluster.Contracts;
using DataCluster.Ring;
using DataCluster.Testing.Logging;
using Xunit;

namespace DataCluster.Agent.Tests.Assignments;

public sealed class AssignmentPublisherTests
{
    private static readonly AssignmentSettings Settings = new(Partitions: 16, ReplicationFactor: 2);

    private readonly InMemoryAssignmentStore _store = new();
    private readonly AgentMetrics _metrics = new();
    private readonly TestLogger _log = new();
    private readonly AssignmentState _state;
    private readonly AssignmentPublisher _publisher;

    public AssignmentPublisherTests()
    {
        _state = new AssignmentState("dc-0", Settings.Partitions, _store.Description, _metrics, _log);
        _publisher = new AssignmentPublisher(_store, _state, Settings, "dc-0", _metrics, _log);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Member[] Members(params int[] ordinals) => [.. ordinals.Select(o => new Member($"dc-{o}", o, "", ""))];

    private Assignment Published() => AssignmentCodec.Decode(_store.Data![AssignmentConfigMapKeys.Assignment]);

    [Fact]
    public async Task The_first_publish_writes_epoch_1_with_every_ConfigMap_key()
    {
        var result = await _publisher.PublishAsync(Members(0, 1, 2), membershipEpoch: 9, Ct);

        Assert.Equal(new PublishResult(PublishOutcome.Published, 1), result);
        var data = _store.Data!;
        Assert.Equal("1", data[AssignmentConfigMapKeys.Epoch]);
        Assert.Equal("9", data[AssignmentConfigMapKeys.MembershipEpoch]);
        Assert.Equal("dc-0", data[AssignmentConfigMapKeys.PublishedBy]);
        var published = Published();
        Assert.Equal(1, published.Epoch);
        Assert.Equal(["dc-0", "dc-1", "dc-2"], published.Members);
        Assert.Equal(1, _state.Current!.Assignment.Epoch);
        Assert.Equal(1, _metrics.AssignmentsPublished.Value);
    }

    [Fact]
    public async Task Nothing_is_written_when_the_replicas_would_not_change_or_there_are_no_members()
    {
        await _publisher.PublishAsync(Members(0, 1, 2), 1, Ct);

        Assert.Equal(PublishOutcome.Unchanged, (await _publisher.PublishAsync(Members(2, 1, 0), 2, Ct)).Outcome);
        Assert.Equal(PublishOutcome.NoMembers, (await _publisher.PublishAsync([], 3, Ct)).Outcome);
        Assert.Equal(1, _store.Writes);
        Assert.Equal(1, Published().Epoch);

        var empty = new AssignmentPublisher(new InMemoryAssignmentStore(), new AssignmentState("dc-0", 16, "x", new AgentMetrics(), _log), Settings, "dc-0", new AgentMetrics(), _log);
        Assert.Equal(PublishOutcome.NoMembers, (await empty.PublishAsync([], null, Ct)).Outcome);
    }

    [Fact]
    public async Task Each_membership_change_publishes_the_next_epoch_moving_only_what_it_must()
    {
        await _publisher.PublishAsync(Members(0, 1, 2), 1, Ct);
        var before = Published();

        var result = await _publisher.PublishAsync(Members(0, 1), 2, Ct);

        Assert.Equal(new PublishResult(PublishOutcome.Published, 2), result);
        var after = Published();
        Assert.Equal(["dc-0", "dc-1"], after.Members);
        for (var p = 0; p < 16; p++)
        {
            // Replicas on surviving members stay where they were.
            Assert.All(before.ReplicasOf(p).ToArray().Where(id => id != "dc-2"), id => Assert.Contains(id, after.ReplicasOf(p).ToArray()));
        }
    }

    [Fact]
    public async Task The_epoch_is_never_lower_than_any_epoch_seen_even_when_the_ConfigMap_was_emptied()
    {
        await _publisher.PublishAsync(Members(0, 1, 2), 1, Ct);
        // Someone empties the assignment but leaves a higher epoch key.
        _store.Set(new Dictionary<string, string> { [AssignmentConfigMapKeys.Assignment] = "", [AssignmentConfigMapKeys.Epoch] = "41" });

        var result = await _publisher.PublishAsync(Members(0, 1, 2), 2, Ct);

        Assert.Equal(new PublishResult(PublishOutcome.Published, 42), result);
        // And with the epoch key gone too, this agent still remembers 42.
        _store.Set(new Dictionary<string, string> { [AssignmentConfigMapKeys.Assignment] = "", [AssignmentConfigMapKeys.Epoch] = "" });
        Assert.Equal(new PublishResult(PublishOutcome.Published, 43), await _publisher.PublishAsync(Members(0, 1, 2), 3, Ct));
        Assert.Equal(43, _state.Current!.Assignment.Epoch);
    }

    [Fact]
    public async Task A_new_leader_continues_above_the_previous_leaders_epoch()
    {
        // The previous leader published epoch 7.
        var previous = Assigner.Assign(null, Members(0, 1, 2), Settings);
        _store.Set(AssignmentDocument.Data(Assignment.Create(7, 16, 2, previous.ToReplicaLists()), 3, "dc-1"));

        var result = await _publisher.PublishAsync(Members(0, 2), 4, Ct);

        Assert.Equal(new PublishResult(PublishOutcome.Published, 8), result);
        Assert.Equal("dc-0", _store.Data![AssignmentConfigMapKeys.PublishedBy]);
    }

    [Fact]
    public async Task A_concurrent_write_makes_the_publisher_read_again_recompute_and_publish_above_it()
    {
        await _publisher.PublishAsync(Members(0, 1, 2), 1, Ct);
        // Between our read and our write another leader publishes epoch 5.
        _store.BeforeNextWrite = s => s.Set(AssignmentDocument.Data(
            Assignment.Create(5, 16, 2, Assigner.Assign(null, Members(0, 1, 2, 3), Settings).ToReplicaLists()), 2, "dc-3"));

        var result = await _publisher.PublishAsync(Members(0, 1), 3, Ct);

        Assert.Equal(new PublishResult(PublishOutcome.Published, 6), result);
        Assert.Equal(["dc-0", "dc-1"], Published().Members);
        Assert.Contains(_log.Lines, l => l.EventId == 13002);
    }

    [Theory]
    [InlineData("datacluster-assignment v2\nepoch=9 partitions=16 factor=2 zones=3\n", "is not supported by this version")]
    [InlineData("garbage", "not an assignment encoding")]
    [InlineData("datacluster-assignment v1\nepoch=9 partitions=8 factor=2\nmembers=dc-0\ndraining=\nreplicas=0,0,0,0,0,0,0,0\n", "8 partitions but this agent is configured with 16")]
    public async Task Content_it_cannot_use_is_left_untouched_and_the_last_good_snapshot_is_kept(string content, string problem)
    {
        await _publisher.PublishAsync(Members(0, 1, 2), 1, Ct);
        _store.Set(new Dictionary<string, string> { [AssignmentConfigMapKeys.Assignment] = content, [AssignmentConfigMapKeys.Epoch] = "9" });
        var writes = _store.Writes;

        var result = await _publisher.PublishAsync(Members(0, 1), 2, Ct);

        Assert.Equal(PublishOutcome.Refused, result.Outcome);
        Assert.Equal(writes, _store.Writes);
        Assert.Equal(content, _store.Data![AssignmentConfigMapKeys.Assignment]);
        Assert.Equal(1, _state.Current!.Assignment.Epoch);
        Assert.Contains(problem, _state.Problem, StringComparison.Ordinal);
        Assert.Contains(_log.Lines, l => l.EventId == 13003 && l.Message.Contains(problem, StringComparison.Ordinal));

        // Once fixed (the key removed), the leader publishes above the epoch it saw there.
        _store.Set(new Dictionary<string, string> { [AssignmentConfigMapKeys.Assignment] = "" });
        Assert.Equal(new PublishResult(PublishOutcome.Published, 10), await _publisher.PublishAsync(Members(0, 1), 3, Ct));
        Assert.Null(_state.Problem);
    }

    [Fact]
    public async Task A_missing_ConfigMap_is_reported_and_not_created()
    {
        var missing = new InMemoryAssignmentStore(exists: false);
        var p = new AssignmentPublisher(missing, _state, Settings, "dc-0", _metrics, _log);

        Assert.Equal(PublishOutcome.Missing, (await p.PublishAsync(Members(0), 1, Ct)).Outcome);
        Assert.Null(missing.Data);
        Assert.Contains(_log.Lines, l => l.EventId == 13004);
    }
}
