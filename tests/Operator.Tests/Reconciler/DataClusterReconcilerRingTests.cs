using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using Xunit;

namespace DataCluster.Operator.Tests.Reconciler;

/// <summary>Member facts and the ring EndpointSlice (<c>DataClusterReconciler.Ring.cs</c>).</summary>
public class DataClusterReconcilerRingTests
{
    private readonly ClusterWorld _world = new();

    private static (bool? Ready, bool? Serving, bool? Terminating) ConditionsOf(Endpoint endpoint) =>
        (endpoint.Conditions!.Ready, endpoint.Conditions.Serving, endpoint.Conditions.Terminating);

    [Fact]
    public async Task The_ring_slice_has_one_endpoint_per_member_with_address_hostname_node_zone_and_pod()
    {
        await _world.FormAsync();

        var slice = _world.Slice!;
        Assert.Equal(("IPv4", ClusterWorld.Name + "-ring"), (slice.AddressType, slice.Metadata.Labels![LabelKeys.EndpointSliceServiceName]));
        Assert.Equal(["demo-0", "demo-1", "demo-2"], slice.Endpoints.Select(e => e.Hostname));
        var endpoint = _world.EndpointOf(1);
        Assert.Equal(("10.0.0.11", "node-b", "zone-b"), (endpoint.Addresses.Single(), endpoint.NodeName, endpoint.Zone));
        Assert.Equal(("Pod", "demo-1", _world.PodOf(1)!.Metadata.Uid), (endpoint.TargetRef!.Kind, endpoint.TargetRef.Name, endpoint.TargetRef.Uid));
        Assert.All(slice.Endpoints, e => Assert.Equal((true, true, false), ConditionsOf(e)));
        Assert.False(slice.Metadata.Annotations!.ContainsKey(AnnotationKeys.DrainingMembers));
    }

    [Fact]
    public async Task Members_regions_are_published_in_an_annotation()
    {
        await _world.FormAsync();

        Assert.Equal("demo-0=region-1,demo-1=region-1,demo-2=region-2", _world.Slice!.Metadata.Annotations![AnnotationKeys.MemberRegions]);
    }

    [Fact]
    public async Task The_epoch_is_published_on_the_slice_and_in_status()
    {
        await _world.FormAsync();

        Assert.Equal(_world.Epoch, _world.Status.MembershipEpoch);
        Assert.True(_world.Epoch > 0);
    }

    [Fact]
    public async Task Heartbeats_change_neither_the_slice_nor_its_epoch()
    {
        await _world.FormAsync();
        var epoch = _world.Epoch;
        var version = _world.Slice!.Metadata.ResourceVersion;

        for (var i = 0; i < 5; i++)
        {
            _world.Pass(TimeSpan.FromSeconds(3));
            await _world.Reconcile();
        }

        Assert.Equal((epoch, version), (_world.Epoch, _world.Slice!.Metadata.ResourceVersion));
    }

    [Fact]
    public async Task A_member_whose_Lease_expires_is_neither_ready_nor_serving_and_the_epoch_moves_on_once()
    {
        await _world.FormAsync();
        var epoch = _world.Epoch;

        _world.Pass(TimeSpan.FromSeconds(8), silent: 2);
        await _world.Reconcile();
        await _world.Reconcile();

        Assert.Equal((false, false, false), ConditionsOf(_world.EndpointOf(2)));
        Assert.Equal((true, true, false), ConditionsOf(_world.EndpointOf(0)));
        Assert.Equal(epoch + 1, _world.Epoch);
    }

    [Fact]
    public async Task A_pod_that_is_not_Ready_is_not_ready_in_the_ring_even_with_a_fresh_Lease()
    {
        await _world.FormAsync();
        var epoch = _world.Epoch;

        _world.SetPodReady(1, false);
        await _world.Reconcile();

        Assert.Equal((false, false, false), ConditionsOf(_world.EndpointOf(1)));
        Assert.Equal(epoch + 1, _world.Epoch);

        _world.SetPodReady(1, true);
        await _world.Reconcile();

        Assert.Equal((true, true, false), ConditionsOf(_world.EndpointOf(1)));
        Assert.Equal(epoch + 2, _world.Epoch);
    }

    [Fact]
    public async Task A_lagging_cache_does_not_let_a_second_membership_out_under_the_same_epoch()
    {
        await _world.FormAsync();
        var epoch = _world.Epoch;
        _world.Hold(KubeResources.EndpointSlices);
        _world.Hold(DataClusterResource.Tolerant);

        _world.SetPodReady(2, false);
        await _world.Reconcile();
        _world.SetPodReady(1, false);
        await _world.Reconcile();

        Assert.Equal(epoch, RingEndpointSliceBuilder.EpochOf(_world.Caches.EndpointSlices.Get(ClusterWorld.Namespace, ObjectNames.RingEndpointSlice(ClusterWorld.Name))));
        Assert.Equal(epoch + 2, _world.Epoch);
        Assert.Equal(epoch + 2, _world.Status.MembershipEpoch);
        Assert.Equal([true, false, false], _world.Slice!.Endpoints.Select(e => e.Conditions!.Ready == true));
    }

    [Fact]
    public async Task A_lagging_cache_does_not_make_the_operator_repeat_its_own_writes()
    {
        await _world.FormAsync();
        _world.Hold(KubeResources.EndpointSlices);
        _world.Hold(DataClusterResource.Tolerant);
        _world.Hold(KubeResources.StatefulSets);

        _world.SetPodReady(2, false);
        var first = await _world.ReconcileWrites();
        var second = await _world.ReconcileWrites();

        Assert.Equal(["apply endpointslices shop/demo-ring", "update dataclusters/status shop/demo"], first.Select(w => w.ToString()));
        Assert.Empty(second);
    }

    [Fact]
    public async Task The_slice_is_recreated_when_the_first_members_take_IPv6_addresses()
    {
        _world.CreateCluster();
        await _world.Reconcile();
        var empty = _world.Slice!;
        for (var ordinal = 0; ordinal < 3; ordinal++)
        {
            _world.AddressPod(ordinal, $"fd00::{ordinal + 10}");
        }

        _world.RunStatefulSet();
        _world.RenewLeases();
        await _world.Reconcile();

        var slice = _world.Slice!;
        Assert.Equal(("IPv4", "IPv6"), (empty.AddressType, slice.AddressType));
        Assert.NotEqual(empty.Metadata.Uid, slice.Metadata.Uid);
        Assert.Equal(["fd00::10", "fd00::11", "fd00::12"], slice.Endpoints.Select(e => e.Addresses.Single()));
        Assert.True(_world.Epoch > RingEndpointSliceBuilder.EpochOf(empty));
        Assert.Empty(await _world.ReconcileWrites());
    }
}
