using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Models;
using DataCluster.Operator.Tests.InMemory;
using Xunit;

namespace DataCluster.Operator.Tests.Reconciler;

/// <summary>The objects that only need to exist and match their builders (<c>DataClusterReconciler.Objects.cs</c>).</summary>
public class DataClusterReconcilerObjectsTests
{
    private readonly ClusterWorld _world = new();

    [Fact]
    public async Task A_new_cluster_gets_every_object_it_owns_in_one_reconcile()
    {
        _world.CreateCluster();

        await _world.Reconcile();

        Assert.Equal(3, _world.StatefulSet!.Spec.Replicas);
        Assert.All(
            new IKubernetesObject?[]
            {
                _world.Get(KubeResources.Services, ObjectNames.PeerService(ClusterWorld.Name)),
                _world.Get(KubeResources.Services, ObjectNames.ClientService(ClusterWorld.Name)),
                _world.Get(KubeResources.Services, ObjectNames.RingService(ClusterWorld.Name)),
                _world.Get(KubeResources.ServiceAccounts, ObjectNames.AgentServiceAccount(ClusterWorld.Name)),
                _world.Get(KubeResources.Roles, ObjectNames.AgentRole(ClusterWorld.Name)),
                _world.Get(KubeResources.RoleBindings, ObjectNames.AgentRoleBinding(ClusterWorld.Name)),
                _world.Get(KubeResources.Secrets, ObjectNames.PeerTokenSecret(ClusterWorld.Name)),
                _world.Get(KubeResources.PodDisruptionBudgets, ObjectNames.PodDisruptionBudget(ClusterWorld.Name)),
                _world.Get(KubeResources.ConfigMaps, ObjectNames.AssignmentConfigMap(ClusterWorld.Name)),
                _world.Get(KubeResources.Leases, ObjectNames.LeaderLease(ClusterWorld.Name)),
                _world.Get(KubeResources.Leases, ObjectNames.MemberLease(ClusterWorld.Name, 0)),
                _world.Get(KubeResources.Leases, ObjectNames.MemberLease(ClusterWorld.Name, 2)),
                _world.StatefulSet,
                _world.Slice,
            },
            o => Assert.Equal(TestClusters.Uid, Assert.Single(o!.Metadata.OwnerReferences!).Uid));
        Assert.Null(_world.Get(KubeResources.Leases, ObjectNames.MemberLease(ClusterWorld.Name, 3)));
        Assert.Equal("Created StatefulSet demo with 3 members.", Assert.Single(_world.EventsWith("Created")).Message);
    }

    [Fact]
    public async Task The_peer_token_survives_the_Secret_losing_its_labels()
    {
        await _world.FormAsync();
        var secret = _world.Get(KubeResources.Secrets, ObjectNames.PeerTokenSecret(ClusterWorld.Name))!;
        var token = Convert.ToBase64String(secret.Data![AgentPaths.PeerTokenKey]);
        secret.Metadata.Labels = null;
        _world.Put(KubeResources.Secrets, secret);
        Assert.Null(_world.Caches.Secrets.Get(ClusterWorld.Namespace, secret.Metadata.Name!));

        await _world.Reconcile();

        var after = _world.Get(KubeResources.Secrets, ObjectNames.PeerTokenSecret(ClusterWorld.Name))!;
        Assert.Equal(token, Convert.ToBase64String(after.Data![AgentPaths.PeerTokenKey]));
        Assert.Equal(LabelKeys.OperatorName, after.Metadata.Labels![LabelKeys.ManagedBy]);
    }

    [Fact]
    public async Task An_assignment_ConfigMap_that_exists_without_the_operators_labels_is_left_alone()
    {
        _world.CreateCluster();
        _world.Put(KubeResources.ConfigMaps, new ConfigMap
        {
            Metadata = new ObjectMeta { Name = ObjectNames.AssignmentConfigMap(ClusterWorld.Name), Namespace = ClusterWorld.Namespace },
            Data = new() { ["kept"] = "yes" },
        });

        await _world.Reconcile();
        await _world.Reconcile();

        Assert.Equal("yes", _world.Get(KubeResources.ConfigMaps, ObjectNames.AssignmentConfigMap(ClusterWorld.Name))!.Data!["kept"]);
        Assert.Single(_world.Api.Writes, w => w.Verb == "create" && w.Resource == "configmaps");
    }

    [Fact]
    public async Task Member_volume_claims_get_an_owner_reference_to_the_cluster_once_even_while_the_claim_cache_lags()
    {
        await _world.FormAsync();
        _world.Put(KubeResources.PersistentVolumeClaims, new PersistentVolumeClaim
        {
            Metadata = new ObjectMeta
            {
                Name = $"{AgentPaths.DataVolume}-{ClusterWorld.Name}-0",
                Namespace = ClusterWorld.Namespace,
                Labels = new() { [LabelKeys.Cluster] = ClusterWorld.Name },
            },
        });
        _world.Hold(KubeResources.PersistentVolumeClaims);

        var first = await _world.ReconcileWrites();
        var second = await _world.ReconcileWrites();

        var owner = Assert.Single(_world.Get(KubeResources.PersistentVolumeClaims, $"{AgentPaths.DataVolume}-{ClusterWorld.Name}-0")!.Metadata.OwnerReferences!);
        Assert.Equal((TestClusters.Uid, false), (owner.Uid, owner.Controller));
        Assert.Equal(["patch persistentvolumeclaims shop/data-demo-0"], first.Select(w => w.ToString()));
        Assert.Empty(second);
    }
}
