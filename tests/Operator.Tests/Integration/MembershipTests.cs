using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.Operator.Tests.Integration;

/// <summary>The ring follows members' health: a Lease that expires or a pod that goes flips ready and moves the epoch.</summary>
[Collection(OperatorCollection.Name)]
public sealed class MembershipTests(OperatorFixture fixture)
{
    private async Task<(EndpointSlice Slice, long Epoch)> SliceAsync(string ns, string name)
    {
        var slice = (await fixture.Admin.GetAsync(fixture.Slices, ns, ObjectNames.RingEndpointSlice(name), TestContext.Current.CancellationToken))!;
        return (slice, RingEndpointSliceBuilder.EpochOf(slice)!.Value);
    }

    private Task<(EndpointSlice Slice, long Epoch)> WaitForEndpointAsync(string ns, string name, Func<Endpoint?, bool> accept, string what) =>
        Eventually.MatchAsync(() => SliceAsync(ns, name), s => accept(s.Slice.Endpoints.SingleOrDefault(e => e.Hostname == $"{name}-1")), Converge.Timeout, what, () => fixture.OperatorLogTail);

    [Fact]
    public async Task A_member_whose_Lease_expires_turns_not_ready_and_the_membership_epoch_increases()
    {
        await fixture.RequireOperatorAsync();
        var ns = await fixture.CreateNamespaceAsync("lease");
        await using var simulation = new Simulation(fixture, ns);
        await Clusters.CreateAsync(fixture.Admin, Clusters.New(ns, "lease"));
        await Converge.ReadyAsync(fixture, ns, "lease", 3);
        var (_, before) = await SliceAsync(ns, "lease");

        // The agent of lease-1 stops renewing; nothing else changes, so only the operator's own
        // timer at the Lease's expiry can notice.
        simulation.SilentMembers["lease-1"] = true;
        var (expired, epoch) = await WaitForEndpointAsync(ns, "lease", e => e?.Conditions?.Ready == false, "lease-1 is not ready in the ring");
        Assert.True(epoch > before, $"epoch {epoch} after the expiry, {before} before");
        Assert.Equal((false, false), (expired.Endpoints.Single(e => e.Hostname == "lease-1").Conditions!.Serving, expired.Endpoints.Single(e => e.Hostname == "lease-1").Conditions!.Terminating));
        Assert.All(expired.Endpoints.Where(e => e.Hostname != "lease-1"), e => Assert.True(e.Conditions?.Ready));

        var status = (await Eventually.MatchAsync(() => Clusters.GetAsync(fixture.Admin, ns, "lease"), c => c!.Status?.MembershipEpoch == epoch,
            Converge.Timeout, "status shows the new epoch", () => fixture.OperatorLogTail))!.Status!;
        var member = status.Members!.Single(m => m.Name == "lease-1");
        Assert.False(member.Ready);
        Assert.NotNull(member.LeaseRenewTime);
        Assert.Equal(2, status.ReadyMembers);
        Assert.Equal(ConditionStatuses.False, Clusters.Condition((await Clusters.GetAsync(fixture.Admin, ns, "lease"))!, ConditionTypes.Ready)!.Status);

        // Renewing again brings it back, under a newer epoch still.
        simulation.SilentMembers.TryRemove("lease-1", out _);
        var (_, back) = await WaitForEndpointAsync(ns, "lease", e => e?.Conditions?.Ready == true, "lease-1 is ready again");
        Assert.True(back > epoch);
        await Converge.ReadyAsync(fixture, ns, "lease", 3);
    }

    [Fact]
    public async Task Deleting_a_member_pod_turns_its_endpoint_not_ready_and_the_membership_epoch_increases()
    {
        await fixture.RequireOperatorAsync();
        var ct = TestContext.Current.CancellationToken;
        var ns = await fixture.CreateNamespaceAsync("podgone");
        await using var simulation = new Simulation(fixture, ns);
        await Clusters.CreateAsync(fixture.Admin, Clusters.New(ns, "gone"));
        await Converge.ReadyAsync(fixture, ns, "gone", 3);
        var (slice, before) = await SliceAsync(ns, "gone");
        var oldUid = slice.Endpoints.Single(e => e.Hostname == "gone-1").TargetRef!.Uid;

        // The pod is being deleted (its kubelet has not finished yet): out of the ring at once.
        simulation.HeldDeletions["gone-1"] = true;
        await fixture.Admin.DeleteAsync(KubeResources.Pods, ns, "gone-1", cancellationToken: ct);
        var (deleting, epoch) = await WaitForEndpointAsync(ns, "gone", e => e?.Conditions?.Ready == false, "gone-1 is not ready in the ring");
        Assert.True(epoch > before, $"epoch {epoch} after the deletion, {before} before");
        Assert.Equal(oldUid, deleting.Endpoints.Single(e => e.Hostname == "gone-1").TargetRef!.Uid);

        // Once it is gone, the StatefulSet's replacement (a new uid) joins under a newer epoch.
        simulation.HeldDeletions.TryRemove("gone-1", out _);
        var (replaced, later) = await WaitForEndpointAsync(ns, "gone", e => e?.Conditions?.Ready == true && e.TargetRef?.Uid != oldUid, "the replacement of gone-1 is ready in the ring");
        Assert.True(later > epoch);
        Assert.Equal(3, replaced.Endpoints.Count);
    }
}
