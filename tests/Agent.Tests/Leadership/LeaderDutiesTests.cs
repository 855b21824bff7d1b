using DataCluster.Agent.Assignments;
using DataCluster.Agent.Leadership;
using DataCluster.Agent.Membership;
using DataCluster.Agent.Observability;
using DataCluster.Agent.Tests.Support;
using DataCluster.Contracts;
using DataCluster.Kube.Models;
using DataCluster.Ring;
using DataCluster.Testing;
using DataCluster.Testing.Logging;
using DataCluster.Testing.Time;
using Xunit;
using static DataCluster.Agent.Tests.Support.Objects;

namespace DataCluster.Agent.Tests.Leadership;

public sealed class LeaderDutiesTests : IAsyncDisposable
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(6);

    private readonly CountingTimeProvider _clock = new();
    private readonly InMemoryAssignmentStore _store = new();
    private readonly RingView _ring = new(Cluster);
    private readonly FakeLeaseFeed _feed = new();
    private readonly AssignmentState _state;
    private readonly LeaderDuties _duties;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    public LeaderDutiesTests()
    {
        var metrics = new AgentMetrics();
        var log = new TestLogger();
        _state = new AssignmentState("dc-0", 32, _store.Description, metrics, log);
        var publisher = new AssignmentPublisher(_store, _state, new AssignmentSettings(32, 2), "dc-0", metrics, log);
        _duties = new LeaderDuties(Cluster, _ring, _state, publisher, _feed, Lease, TimeSpan.FromSeconds(2), log, _clock);
    }

    private Assignment Published() => AssignmentCodec.Decode(_store.Data![AssignmentConfigMapKeys.Assignment]);

    private void Renew(params int[] ordinals)
    {
        foreach (var ordinal in ordinals)
        {
            _feed.Push(MemberLease(ordinal, $"dc-{ordinal}", _clock.GetUtcNow()));
        }
    }

    private async Task StartAsync(int[] members)
    {
        _ring.Update(RingSlice(1, members));
        _feed.Initial = [.. members.Select(o => MemberLease(o, $"dc-{o}", _clock.GetUtcNow()))];
        _running = _duties.RunAsync(_stop.Token);
        await Eventually.UntilAsync(() => _store.Writes == 1 && _clock.TimersCreated == 1, Hang, "the first assignment is published and the leader waits");
    }

    [Fact]
    public async Task A_new_leader_publishes_the_first_assignment_for_every_member_with_a_fresh_Lease()
    {
        _ring.Update(RingSlice(3, [0, 1, 2, 3]));
        await StartAsync([0, 1, 2]);

        Assert.Equal(1, Published().Epoch);
        Assert.Equal(["dc-0", "dc-1", "dc-2"], Published().Members);
        Assert.Equal("1", _store.Data![AssignmentConfigMapKeys.MembershipEpoch]);
    }

    [Fact]
    public async Task A_forming_cluster_publishes_its_first_assignment_once_as_many_members_as_the_replication_factor_have_Leases()
    {
        // The ring lists three pods; only dc-0's agent has written its Lease so far.
        _ring.Update(RingSlice(1, [0, 1, 2]));
        _feed.Initial = [MemberLease(0, "dc-0", _clock.GetUtcNow())];
        _running = _duties.RunAsync(_stop.Token);
        await Eventually.UntilAsync(() => _clock.TimersCreated == 1, Hang, "the leader waits for more members");
        Assert.Equal(0, _store.Writes);

        Renew(1);
        await Eventually.UntilAsync(() => _clock.TimersCreated == 2, Hang, "the leader debounces");
        _clock.Advance(LeaderDuties.Debounce);

        await Eventually.UntilAsync(() => _store.Writes == 1, Hang, "the leader publishes once two members (the replication factor) have Leases");
        var first = Published();
        Assert.Equal(["dc-0", "dc-1"], first.Members);
        Assert.All(Enumerable.Range(0, first.Partitions), p => Assert.Equal(2, first.ReplicasOf(p).Length));
    }

    [Fact]
    public async Task A_forming_cluster_of_fewer_members_than_the_replication_factor_publishes_after_a_lease_duration()
    {
        _ring.Update(RingSlice(1, [0]));
        _feed.Initial = [MemberLease(0, "dc-0", _clock.GetUtcNow())];
        _running = _duties.RunAsync(_stop.Token);
        await Eventually.UntilAsync(() => _clock.TimersCreated == 1, Hang, "the leader waits for more members");

        for (var t = 2; t <= 4; t += 2)
        {
            _clock.Advance(TimeSpan.FromSeconds(2));
            Renew(0);
        }

        _clock.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Equal(0, _store.Writes);
        _clock.Advance(TimeSpan.FromSeconds(0.2));
        await Eventually.UntilAsync(() => _store.Writes == 1, Hang, "the leader publishes a lease duration after it began, with the one member there is");
        Assert.Equal(["dc-0"], Published().Members);
    }

    [Fact]
    public async Task A_Lease_that_stops_being_renewed_moves_its_partitions_when_it_expires_without_any_event()
    {
        await StartAsync([0, 1, 2]);
        for (var t = 2; t <= 4; t += 2)
        {
            _clock.Advance(TimeSpan.FromSeconds(2));
            Renew(0, 1); // dc-2 is dead
        }

        _clock.Advance(TimeSpan.FromSeconds(1.9)); // 5.9 s after dc-2's last renewal
        Assert.Equal(1, _store.Writes);

        _clock.Advance(TimeSpan.FromSeconds(0.2));
        await Eventually.UntilAsync(() => _store.Writes == 2, Hang, "the leader publishes after the Lease expired");
        Assert.Equal(2, Published().Epoch);
        Assert.Equal(["dc-0", "dc-1"], Published().Members);
        Assert.Equal(["dc-0", "dc-1"], _duties.LastMembers.Select(m => m.Id));
    }

    [Fact]
    public async Task A_burst_of_changes_within_the_debounce_becomes_one_new_epoch()
    {
        await StartAsync([0, 1, 2]);

        Renew(3); // a Lease without an endpoint yet: not a member, but worth a look
        await Eventually.UntilAsync(() => _clock.TimersCreated == 2, Hang, "the leader debounces");
        _ring.Update(RingSlice(2, [0, 1, 2, 3, 4]));
        Renew(4);
        _clock.Advance(LeaderDuties.Debounce);

        await Eventually.UntilAsync(() => _store.Writes == 2, Hang, "the leader publishes once after the debounce");
        Assert.Equal(["dc-0", "dc-1", "dc-2", "dc-3", "dc-4"], Published().Members);
        Assert.Equal(2, Published().Epoch);
        Assert.Equal("2", _store.Data![AssignmentConfigMapKeys.MembershipEpoch]);
        await Eventually.UntilAsync(() => _clock.TimersCreated >= 3, Hang, "the leader waits again");
        Assert.Equal(2, _store.Writes);
    }

    [Fact]
    public async Task A_draining_member_keeps_no_leadership_in_the_next_epoch()
    {
        await StartAsync([0, 1, 2]);

        _ring.Update(RingSlice(2, [0, 1, 2], drainingAnnotation: "dc-2"));
        await Eventually.UntilAsync(() => _clock.TimersCreated == 2, Hang, "the leader debounces");
        _clock.Advance(LeaderDuties.Debounce);

        await Eventually.UntilAsync(() => _store.Writes == 2, Hang, "the leader publishes the drain");
        var published = Published();
        Assert.Equal(0, published.LeaderCountOf("dc-2"));
        Assert.Equal(0, published.ReplicaCountOf("dc-2"));
    }

    [Fact]
    public async Task A_member_that_comes_back_gets_its_replicas_at_once_and_its_leaderships_once_it_has_settled()
    {
        await StartAsync([0, 1, 2]);
        _ring.Update(RingSlice(2, [0, 1]));
        await Eventually.UntilAsync(() => _clock.TimersCreated == 2, Hang, "the leader debounces");
        _clock.Advance(LeaderDuties.Debounce);
        await Eventually.UntilAsync(() => _store.Writes == 2 && _clock.TimersCreated == 3, Hang, "the leader publishes without dc-2 and waits");
        Assert.Equal(0, Published().ReplicaCountOf("dc-2"));

        _ring.Update(RingSlice(3, [0, 1, 2]));
        await Eventually.UntilAsync(() => _clock.TimersCreated == 4, Hang, "the leader debounces");
        _clock.Advance(LeaderDuties.Debounce);
        await Eventually.UntilAsync(() => _store.Writes == 3 && _clock.TimersCreated == 5, Hang, "the leader publishes dc-2's return and waits");
        var joined = Published();
        Assert.True(joined.ReplicaCountOf("dc-2") >= 32 * 2 / 3, $"dc-2 holds {joined.ReplicaCountOf("dc-2")} replicas at once");
        Assert.Equal(0, joined.LeaderCountOf("dc-2"));
        Assert.Equal(MemberState.Joining, _duties.LastMembers.Single(m => m.Id == "dc-2").State);

        _clock.Advance(JoiningMembers.DefaultSettle - TimeSpan.FromMilliseconds(100));
        Assert.Equal(3, _store.Writes);
        _clock.Advance(TimeSpan.FromMilliseconds(200));
        await Eventually.UntilAsync(() => _store.Writes == 4, Hang, "the leader publishes again once dc-2 has settled");
        var settled = Published();
        Assert.Equal(32 / 3, settled.LeaderCountOf("dc-2"));
        Assert.True(joined.SameReplicas(settled) || Enumerable.Range(0, 32).All(p => settled.ReplicasOf(p).ToArray().Order().SequenceEqual(joined.ReplicasOf(p).ToArray().Order())),
            "settling moves leaderships, not replicas");
        Assert.All(_duties.LastMembers, m => Assert.Equal(MemberState.Active, m.State));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        Assert.True(_feed.Stopped, "the Lease feed stops with the leader duties");
        _stop.Dispose();
    }

    private sealed class FakeLeaseFeed : IMemberLeaseFeed
    {
        private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Action<Lease>? _changed;

        public Lease[] Initial { get; set; } = [];

        public bool Stopped { get; private set; }

        public void Push(Lease lease) => _changed!(lease);

        public async Task RunAsync(Action<Lease> changed, Action<Lease> deleted, CancellationToken cancellationToken)
        {
            _changed = changed;
            foreach (var lease in Initial)
            {
                changed(lease);
            }

            _synced.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Stopped = true;
            }
        }

        public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);
    }
}
