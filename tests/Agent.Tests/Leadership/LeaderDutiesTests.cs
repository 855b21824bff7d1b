using DataCluster.Agent.Assignments;
using DataCluster.Agent.Leadership;
using DataCluster.Agent.Membership;
using DataCluster.Agent.Observability;
using DataCluster.Agent.Tests.Support;
using DataCluster.Contracts;
using DataCluster.Kube.Models;
using DataCluster.Ring;
using DataCluster.Testing;
using Xunit;
using static DataCluster.Agent.Tests.Support.Objects;

namespace DataCluster.Agent.Tests.Leadership;

public sealed class LeaderDutiesTests : IAsyncDisposable
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(6);

    private readonly ObservedClock clock = new();
    private readonly InMemoryAssignmentStore store = new();
    private readonly RingView ring = new(Cluster);
    private readonly FakeLeaseFeed feed = new();
    private readonly AssignmentState state;
    private readonly LeaderDuties duties;
    private readonly CancellationTokenSource stop = new();
    private Task running = Task.CompletedTask;

    public LeaderDutiesTests()
    {
        var metrics = new AgentMetrics();
        var log = new TestLog();
        state = new AssignmentState("dc-0", 32, store.Description, metrics, log);
        var publisher = new AssignmentPublisher(store, state, new AssignmentSettings(32, 2), "dc-0", metrics, log);
        duties = new LeaderDuties(Cluster, ring, state, publisher, feed, Lease, TimeSpan.FromSeconds(2), log, clock);
    }

    private Assignment Published() => AssignmentCodec.Decode(store.Data![AssignmentConfigMapKeys.Assignment]);

    private void Renew(params int[] ordinals)
    {
        foreach (var ordinal in ordinals)
        {
            feed.Push(MemberLease(ordinal, $"dc-{ordinal}", clock.GetUtcNow()));
        }
    }

    private async Task StartAsync(int[] members)
    {
        ring.Update(RingSlice(1, members));
        feed.Initial = [.. members.Select(o => MemberLease(o, $"dc-{o}", clock.GetUtcNow()))];
        running = duties.RunAsync(stop.Token);
        await Eventually.UntilAsync(() => store.Writes == 1 && clock.TimersCreated == 1, Hang, "the first assignment is published and the leader waits");
    }

    [Fact]
    public async Task A_new_leader_publishes_the_first_assignment_for_every_member_with_a_fresh_Lease()
    {
        ring.Update(RingSlice(3, [0, 1, 2, 3]));
        await StartAsync([0, 1, 2]);

        Assert.Equal(1, Published().Epoch);
        Assert.Equal(["dc-0", "dc-1", "dc-2"], Published().Members);
        Assert.Equal("1", store.Data![AssignmentConfigMapKeys.MembershipEpoch]);
    }

    [Fact]
    public async Task A_Lease_that_stops_being_renewed_moves_its_partitions_when_it_expires_without_any_event()
    {
        await StartAsync([0, 1, 2]);
        for (var t = 2; t <= 4; t += 2)
        {
            clock.Advance(TimeSpan.FromSeconds(2));
            Renew(0, 1); // dc-2 is dead
        }

        clock.Advance(TimeSpan.FromSeconds(1.9)); // 5.9 s after dc-2's last renewal
        Assert.Equal(1, store.Writes);

        clock.Advance(TimeSpan.FromSeconds(0.2));
        await Eventually.UntilAsync(() => store.Writes == 2, Hang, "the leader publishes after the Lease expired");
        Assert.Equal(2, Published().Epoch);
        Assert.Equal(["dc-0", "dc-1"], Published().Members);
        Assert.Equal(["dc-0", "dc-1"], duties.LastMembers.Select(m => m.Id));
    }

    [Fact]
    public async Task A_burst_of_changes_within_the_debounce_becomes_one_new_epoch()
    {
        await StartAsync([0, 1, 2]);

        Renew(3); // a Lease without an endpoint yet: not a member, but worth a look
        await Eventually.UntilAsync(() => clock.TimersCreated == 2, Hang, "the leader debounces");
        ring.Update(RingSlice(2, [0, 1, 2, 3, 4]));
        Renew(4);
        clock.Advance(LeaderDuties.Debounce);

        await Eventually.UntilAsync(() => store.Writes == 2, Hang, "the leader publishes once after the debounce");
        Assert.Equal(["dc-0", "dc-1", "dc-2", "dc-3", "dc-4"], Published().Members);
        Assert.Equal(2, Published().Epoch);
        Assert.Equal("2", store.Data![AssignmentConfigMapKeys.MembershipEpoch]);
        await Eventually.UntilAsync(() => clock.TimersCreated >= 3, Hang, "the leader waits again");
        Assert.Equal(2, store.Writes);
    }

    [Fact]
    public async Task A_draining_member_keeps_no_leadership_in_the_next_epoch()
    {
        await StartAsync([0, 1, 2]);

        ring.Update(RingSlice(2, [0, 1, 2], drainingAnnotation: "dc-2"));
        await Eventually.UntilAsync(() => clock.TimersCreated == 2, Hang, "the leader debounces");
        clock.Advance(LeaderDuties.Debounce);

        await Eventually.UntilAsync(() => store.Writes == 2, Hang, "the leader publishes the drain");
        var published = Published();
        Assert.Equal(0, published.LeaderCountOf("dc-2"));
        Assert.Equal(0, published.ReplicaCountOf("dc-2"));
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await running;
        Assert.True(feed.Stopped, "the Lease feed stops with the leader duties");
        stop.Dispose();
    }

    private sealed class FakeLeaseFeed : IMemberLeaseFeed
    {
        private readonly TaskCompletionSource synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Action<Lease>? changed;

        public Lease[] Initial { get; set; } = [];

        public bool Stopped { get; private set; }

        public void Push(Lease lease) => changed!(lease);

        public async Task RunAsync(Action<Lease> changed, Action<Lease> deleted, CancellationToken cancellationToken)
        {
            this.changed = changed;
            foreach (var lease in Initial)
            {
                changed(lease);
            }

            synced.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Stopped = true;
            }
        }

        public Task WaitForSyncAsync(CancellationToken cancellationToken) => synced.Task.WaitAsync(cancellationToken);
    }
}
