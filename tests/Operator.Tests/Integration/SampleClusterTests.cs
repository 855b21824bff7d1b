using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.Operator.Tests.Integration;

/// <summary>Applying each sample yields every owned object, pods, a ring with zones, and a Ready status.</summary>
[Collection(OperatorCollection.Name)]
public sealed class SampleClusterTests(OperatorFixture fixture)
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(120);

    public static TheoryData<string> Samples() => SampleTests.Samples();

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Applying_a_sample_creates_every_owned_object_with_owner_and_labels_and_the_cluster_becomes_ready(string file)
    {
        await fixture.RequireOperatorAsync();
        var admin = fixture.Admin;
        var ct = TestContext.Current.CancellationToken;
        var ns = await fixture.CreateNamespaceAsync("sample");
        await using var simulation = new Simulation(fixture, ns);
        var created = await Clusters.CreateAsync(admin, Clusters.FromSample(file, ns));
        var name = created.Metadata.Name!;
        var uid = created.Metadata.Uid!;
        var replicas = created.Spec.Replicas;

        // Every owned object exists, with a controller reference to the cluster and the standard labels.
        var owned = new List<(string Kind, Func<Task<IKubernetesObject?>> Get, string Component)>
        {
            ("StatefulSet", async () => await admin.GetAsync(KubeResources.StatefulSets, ns, name, ct), Components.Member),
            ("Service peers", async () => await admin.GetAsync(KubeResources.Services, ns, ObjectNames.PeerService(name), ct), Components.Member),
            ("Service client", async () => await admin.GetAsync(KubeResources.Services, ns, ObjectNames.ClientService(name), ct), Components.Member),
            ("Service ring", async () => await admin.GetAsync(KubeResources.Services, ns, ObjectNames.RingService(name), ct), Components.Ring),
            ("EndpointSlice ring", async () => await admin.GetAsync(fixture.Slices, ns, ObjectNames.RingEndpointSlice(name), ct), Components.Ring),
            ("PodDisruptionBudget", async () => await admin.GetAsync(fixture.Budgets, ns, ObjectNames.PodDisruptionBudget(name), ct), Components.Member),
            ("ServiceAccount", async () => await admin.GetAsync(KubeResources.ServiceAccounts, ns, ObjectNames.AgentServiceAccount(name), ct), Components.Agent),
            ("Role", async () => await admin.GetAsync(KubeResources.Roles, ns, ObjectNames.AgentRole(name), ct), Components.Agent),
            ("RoleBinding", async () => await admin.GetAsync(KubeResources.RoleBindings, ns, ObjectNames.AgentRoleBinding(name), ct), Components.Agent),
            ("Secret", async () => await admin.GetAsync(KubeResources.Secrets, ns, ObjectNames.PeerTokenSecret(name), ct), Components.Agent),
            ("ConfigMap", async () => await admin.GetAsync(KubeResources.ConfigMaps, ns, ObjectNames.AssignmentConfigMap(name), ct), Components.Ring),
            ("Lease leader", async () => await admin.GetAsync(KubeResources.Leases, ns, ObjectNames.LeaderLease(name), ct), Components.Ring),
        };
        owned.AddRange(Enumerable.Range(0, replicas).Select(i =>
            ($"Lease member {i}", (Func<Task<IKubernetesObject?>>)(async () => await admin.GetAsync(KubeResources.Leases, ns, ObjectNames.MemberLease(name, i), ct)), Components.Ring)));
        foreach (var (kind, get, component) in owned)
        {
            var obj = await Eventually.MatchAsync(get, _ => true, Converge, $"the {kind} exists", () => fixture.OperatorLogTail);
            var owner = Assert.Single(obj!.Metadata.OwnerReferences ?? [], r => r.Controller == true);
            Assert.Equal((DataClusterApi.ApiVersion, DataClusterApi.Kind, name, uid, true), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.BlockOwnerDeletion == true));
            foreach (var (key, value) in Labels.Standard(name, component))
            {
                Assert.True(obj.Metadata.Labels?.GetValueOrDefault(key) == value, $"{kind} lacks label {key}={value}: {string.Join(", ", obj.Metadata.Labels ?? [])}");
            }
        }

        // The StatefulSet controller creates the pods; the simulated kubelet binds and readies them.
        await Eventually.UntilAsync(async () => (await admin.ListAsync(KubeResources.Pods, ns, new() { LabelSelector = $"{LabelKeys.Cluster}={name}" }, ct)).Items.Count(Simulation.IsRunning) == replicas,
            Converge, $"{replicas} pods run", () => $"{simulation.LastError}\n{fixture.OperatorLogTail}");

        // Ready, and the status reflects the assignment the simulated leader agent published for all members.
        var ready = await Eventually.MatchAsync(() => Clusters.GetAsync(admin, ns, name),
            c => Clusters.Is(c, ConditionTypes.Ready, ConditionStatuses.True) && c!.Status!.Members!.Count == replicas && c.Status.Members.All(m => m.Replicas > 0),
            Converge, "the cluster is Ready with every member holding replicas", () => fixture.OperatorLogTail);
        var status = ready!.Status!;
        Assert.Equal(replicas, status.ReadyMembers);
        Assert.Equal($"{replicas}/{replicas}", status.MembersReady);
        Assert.True(status.AssignmentEpoch >= 1);
        Assert.Equal(created.Metadata.Generation, status.ObservedGeneration);
        Assert.Equal(created.Spec.Partitions, status.Partitions);
        Assert.StartsWith($"{name}-", status.Leader, StringComparison.Ordinal);
        Assert.True(Clusters.Is(ready, ConditionTypes.Valid, ConditionStatuses.True));
        Assert.True(Clusters.Is(ready, ConditionTypes.Degraded, ConditionStatuses.False));
        Assert.True(Clusters.Is(ready, ConditionTypes.Rebalancing, ConditionStatuses.False));

        // The ring lists every member with its address, pod, node zone and region, ready.
        var pods = (await admin.ListAsync(KubeResources.Pods, ns, new() { LabelSelector = $"{LabelKeys.Cluster}={name}" }, ct)).Items;
        var slice = (await admin.GetAsync(fixture.Slices, ns, ObjectNames.RingEndpointSlice(name), ct))!;
        Assert.Equal(status.MembershipEpoch, RingEndpointSliceBuilder.EpochOf(slice));
        Assert.Equal(ObjectNames.RingService(name), slice.Metadata.Labels![LabelKeys.EndpointSliceServiceName]);
        Assert.Equal(LabelKeys.EndpointSliceController, slice.Metadata.Labels[LabelKeys.EndpointSliceManagedBy]);
        Assert.Equal(replicas, slice.Endpoints.Count);
        foreach (var pod in pods)
        {
            var endpoint = Assert.Single(slice.Endpoints, e => e.Hostname == pod.Metadata.Name);
            var node = OperatorFixture.Nodes.Single(n => n.Name == pod.Spec.NodeName);
            Assert.Equal([pod.Status!.PodIp!], endpoint.Addresses);
            Assert.Equal((pod.Metadata.Uid, "Pod", pod.Metadata.Name), (endpoint.TargetRef?.Uid, endpoint.TargetRef?.Kind, endpoint.TargetRef?.Name));
            Assert.Equal(node.Zone, endpoint.Zone);
            Assert.Equal(node.Region, endpoint.DeprecatedTopology?.GetValueOrDefault(RingEndpointSliceBuilder.RegionKey));
            Assert.Equal((true, true, false), (endpoint.Conditions?.Ready, endpoint.Conditions?.Serving, endpoint.Conditions?.Terminating));
            var member = Assert.Single(status.Members!, m => m.Name == pod.Metadata.Name);
            Assert.True(member.Ready);
            Assert.Equal(node.Zone, member.Zone);
        }

        // The volume claims the StatefulSet made go with the cluster: each names it as an owner.
        await Eventually.UntilAsync(async () =>
        {
            var claims = (await admin.ListAsync(KubeResources.PersistentVolumeClaims, ns, cancellationToken: ct)).Items;
            return claims.Count == replicas && claims.All(c => c.Metadata.OwnerReferences?.Any(r => r.Uid == uid && r.Kind == DataClusterApi.Kind) == true);
        }, Converge, "every volume claim is owned by the DataCluster", () => fixture.OperatorLogTail);

        // The pod template: the agent with its environment, ports, probes, volumes and restricted security.
        var statefulSet = (await admin.GetAsync(KubeResources.StatefulSets, ns, name, ct))!;
        var template = statefulSet.Spec.Template.Spec;
        var agent = Assert.Single(template.Containers, c => c.Name == AgentPaths.ContainerName);
        Assert.Equal(created.Spec.Agent.Image ?? OperatorFixture.AgentImage, agent.Image);
        Assert.Equal("metadata.name", agent.Env!.Single(e => e.Name == AgentEnvironment.PodName).ValueFrom?.FieldRef?.FieldPath);
        Assert.Equal("status.podIP", agent.Env!.Single(e => e.Name == AgentEnvironment.PodIp).ValueFrom?.FieldRef?.FieldPath);
        Assert.Equal(name, agent.Env!.Single(e => e.Name == AgentEnvironment.ClusterName).Value);
        Assert.Equal([AgentPorts.Client, AgentPorts.Peer], agent.Ports!.Select(p => p.Port));
        Assert.Equal(("/healthz", "/readyz"), (agent.LivenessProbe?.HttpGet?.Path, agent.ReadinessProbe?.HttpGet?.Path));
        Assert.True(agent.SecurityContext?.RunAsNonRoot == true && agent.SecurityContext.ReadOnlyRootFilesystem == true && agent.SecurityContext.AllowPrivilegeEscalation == false);
        Assert.Equal(ObjectNames.PeerTokenSecret(name), template.Volumes!.Single(v => v.Name == AgentPaths.PeerTokenVolume).Secret?.SecretName);
        Assert.Equal(AgentPaths.DataVolume, Assert.Single(statefulSet.Spec.VolumeClaimTemplates!).Metadata.Name);
        Assert.Equal(Defaults.ZoneLabel, Assert.Single(template.TopologySpreadConstraints!).TopologyKey);
        Assert.Equal(ObjectNames.AgentServiceAccount(name), template.ServiceAccountName);
        Assert.Equal(created.Spec.Template?.Spec.Containers.Count ?? 0, template.Containers.Count - 1);

        var secret = (await admin.GetAsync(KubeResources.Secrets, ns, ObjectNames.PeerTokenSecret(name), ct))!;
        Assert.True(secret.Data![AgentPaths.PeerTokenKey].Length >= 32);

        var events = (await admin.ListAsync(KubeResources.Events, ns, cancellationToken: ct)).Items.Where(e => e.InvolvedObject.Uid == uid).ToList();
        Assert.Contains(events, e => e.Reason == "Created" && e.Source?.Component == "datacluster-operator");
        Assert.Contains(events, e => e.Reason == "Ready" && e.Type == "Normal");
    }
}
