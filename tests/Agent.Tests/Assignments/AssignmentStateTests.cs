using System.Text;
using DataCluster.Agent.Assignments;
using DataCluster.Agent.Http;
using DataCluster.Agent.Observability;
using DataCluster.Agent.Tests.Support;
using DataCluster.Contracts;
using DataCluster.Ring;
using DataCluster.Testing.Logging;
using Xunit;

namespace DataCluster.Agent.Tests.Assignments;

public sealed class AssignmentStateTests
{
    private readonly AgentMetrics _metrics = new();
    private readonly TestLogger _log = new();
    private readonly AssignmentState _state;

    public AssignmentStateTests() => _state = new AssignmentState("dc-0", 4, "test/dc-assignment", _metrics, _log);

    /// <summary>A snapshot of 4 partitions given as "leader.follower" lists of ordinals.</summary>
    private static Assignment Snapshot(long epoch, params string[] lists) =>
        Assignment.Create(epoch, 4, 2, [.. lists.Select(l => (IReadOnlyList<string>)[.. l.Split('.', StringSplitOptions.RemoveEmptyEntries).Select(o => $"dc-{o}")])]);

    private static Dictionary<string, string> Data(Assignment a) => AssignmentDocument.Data(a, 1, "dc-1");

    private static List<AssignmentEvent> Drain(AssignmentSubscription subscription)
    {
        var events = new List<AssignmentEvent>();
        while (subscription.Events.TryRead(out var e))
        {
            events.Add(e);
        }

        return events;
    }

    [Fact]
    public void Events_of_one_epoch_come_as_leader_lost_revoked_assigned_leader_gained()
    {
        _state.Observe(Data(Snapshot(1, "0.1", "1.0", "0.2", "2.1")));
        using var subscription = _state.Subscribe();
        Drain(subscription);

        // dc-0 stops leading 0, loses 2, gains 3 as leader, starts leading 1.
        _state.Observe(Data(Snapshot(2, "1.0", "0.1", "2.1", "0.2")));

        Assert.Equal(
            [
                new AssignmentEvent(AssignmentEventTypes.LeaderLost, 2, [0, 2]),
                new AssignmentEvent(AssignmentEventTypes.Revoked, 2, [2]),
                new AssignmentEvent(AssignmentEventTypes.Assigned, 2, [3]),
                new AssignmentEvent(AssignmentEventTypes.LeaderGained, 2, [1, 3]),
            ],
            Drain(subscription),
            new EventComparer());
    }

    [Fact]
    public void A_subscriber_first_gets_the_current_state_then_every_later_change_in_epoch_order()
    {
        _state.Observe(Data(Snapshot(3, "0.1", "1.2", "2.0", "1.2")));
        using var subscription = _state.Subscribe();
        _state.Observe(Data(Snapshot(4, "0.1", "1.2", "2.0", "0.2")));
        _state.Observe(Data(Snapshot(5, "1.2", "1.2", "2.1", "0.2")));

        Assert.Equal(
            [
                new AssignmentEvent(AssignmentEventTypes.Assigned, 3, [0, 2]),
                new AssignmentEvent(AssignmentEventTypes.LeaderGained, 3, [0]),
                new AssignmentEvent(AssignmentEventTypes.Assigned, 4, [3]),
                new AssignmentEvent(AssignmentEventTypes.LeaderGained, 4, [3]),
                new AssignmentEvent(AssignmentEventTypes.LeaderLost, 5, [0]),
                new AssignmentEvent(AssignmentEventTypes.Revoked, 5, [0, 2]),
            ],
            Drain(subscription),
            new EventComparer());
    }

    [Fact]
    public void The_initial_state_says_the_epoch_even_when_this_member_holds_nothing()
    {
        _state.Observe(Data(Snapshot(6, "1.2", "1.2", "2.1", "2.1")));
        using var subscription = _state.Subscribe();

        Assert.Equal([new AssignmentEvent(AssignmentEventTypes.Assigned, 6, [])], Drain(subscription), new EventComparer());
    }

    [Fact]
    public void Older_or_equal_epochs_and_unusable_content_never_replace_the_snapshot()
    {
        _state.Observe(Data(Snapshot(5, "0.1", "1.0", "0.1", "1.0")));
        using var subscription = _state.Subscribe();
        Drain(subscription);

        _state.Observe(Data(Snapshot(4, "1.2", "1.2", "1.2", "1.2")));
        _state.Observe(Data(Snapshot(5, "1.2", "1.2", "1.2", "1.2")));
        var document = _state.Observe(new Dictionary<string, string> { [AssignmentConfigMapKeys.Assignment] = "datacluster-assignment v9\n", [AssignmentConfigMapKeys.Epoch] = "12" });

        Assert.Equal(AssignmentDocumentKind.Unusable, document.Kind);
        Assert.Equal(5, _state.Current!.Assignment.Epoch);
        Assert.Equal(["dc-0", "dc-1"], _state.Current.Assignment.ReplicasOf(0).ToArray());
        Assert.Empty(Drain(subscription));
        Assert.Equal(12, _state.HighestEpochSeen);
        Assert.Contains("upgrade", _state.Problem, StringComparison.Ordinal);
        Assert.Equal(1, _metrics.AssignmentRejected.Value);
        Assert.Equal(5, _metrics.AssignmentEpoch.Value);
        Assert.Equal(2, _metrics.PartitionsLed.Value);
        Assert.Equal(4, _metrics.PartitionsHeld.Value);
    }

    [Fact]
    public void A_subscriber_that_falls_behind_is_cut_off_and_a_new_subscription_starts_from_the_current_state()
    {
        _state.Observe(Data(Snapshot(1, "0.1", "1.0", "0.1", "1.0")));
        using var slow = _state.Subscribe();
        var epoch = 1L;
        while (!slow.Overflowed)
        {
            // Alternate two placements so every epoch produces events for dc-0.
            epoch++;
            _state.Observe(Data(epoch % 2 == 0 ? Snapshot(epoch, "1.0", "0.1", "1.0", "0.1") : Snapshot(epoch, "0.1", "1.0", "0.1", "1.0")));
            Assert.True(epoch < 10_000, "the subscriber was never cut off");
        }

        Assert.Equal(0, _state.SubscriberCount);
        Assert.True(Drain(slow).Count <= AssignmentState.SubscriberCapacity);
        Assert.True(slow.Events.Completion.IsCompleted);
        Assert.Contains(_log.Lines, l => l.EventId == 14003);

        using var fresh = _state.Subscribe();
        Assert.Equal(epoch, Drain(fresh)[0].Epoch);
    }

    [Fact]
    public void Server_sent_events_carry_the_epoch_as_id_the_type_as_event_and_JSON_data()
    {
        var text = new StringBuilder();
        AssignmentStream.Format(text, new AssignmentEvent(AssignmentEventTypes.LeaderGained, 17, [3, 9]));
        AssignmentStream.Format(text, new AssignmentEvent(AssignmentEventTypes.Revoked, 17, []));

        Assert.Equal(
            "id: 17\nevent: leader-gained\ndata: {\"epoch\":17,\"partitions\":[3,9]}\n\n" +
            "id: 17\nevent: revoked\ndata: {\"epoch\":17,\"partitions\":[]}\n\n",
            text.ToString());
    }

    private sealed class EventComparer : IEqualityComparer<AssignmentEvent>
    {
        public bool Equals(AssignmentEvent? x, AssignmentEvent? y) =>
            x is not null && y is not null && x.Type == y.Type && x.Epoch == y.Epoch && x.Partitions.SequenceEqual(y.Partitions);

        public int GetHashCode(AssignmentEvent obj) => HashCode.Combine(obj.Type, obj.Epoch);
    }
}
