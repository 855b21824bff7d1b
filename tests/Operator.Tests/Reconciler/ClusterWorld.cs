using System.Globalization;
using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Controllers;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using DataCluster.Operator.Controllers;
using DataCluster.Operator.Tests.InMemory;
using DataCluster.Ring;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using ClusterObject = DataCluster.Operator.Api.DataCluster;

namespace DataCluster.Operator.Tests.Reconciler;

/// <summary>
/// One DataCluster, the reconciler under test and the world around it, in one process: an
/// in-memory API and informer caches over one store, a fake clock and recorded Events. The
/// reconciler is wired as the operator wires it (read-your-writes included). The test plays
/// everyone else: the user (spec edits), the StatefulSet controller and the kubelet (pods and
/// their readiness, StatefulSet status), the agents (Lease renewals, the leader's assignment)
/// and the cloud (Nodes with zone and region labels).
/// </summary>
/// <remarks>
/// Nothing runs in the background: the world changes only when the test says so, and the
/// reconciler runs only on <see cref="Reconcile"/>. Reads (<see cref="Cluster"/>,
/// <see cref="Slice"/>, ...) show the server's objects, not the caches'.
/// </remarks>
internal sealed class ClusterWorld
{
    public const string Name = TestClusters.Name;
    public const string Namespace = TestClusters.Namespace;

    /// <summary>Three nodes, one per zone; the third in another region.</summary>
    public static readonly IReadOnlyList<(string Name, string Zone, string Region)> Nodes =
    [
        ("node-a", "zone-a", "region-1"),
        ("node-b", "zone-b", "region-1"),
        ("node-c", "zone-c", "region-2"),
    ];

    /// <summary>When the world's clock starts.</summary>
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private readonly Dictionary<int, string> _addresses = [];

    public ClusterWorld()
    {
        Time = new FakeTimeProvider(Start);
        Store = new InMemoryStore(Time);
        Api = new InMemoryApi(Store);
        Caches = new InMemoryClusterCaches(Store);
        Leases = new LeaseObserver(Time);

        // The Lease informer's handler: a renewal is stamped when it reaches the cache.
        var leaseKind = InMemoryStore.KindOf(KubeResources.Leases);
        Store.Changed += (kind, before, after) =>
        {
            if (kind != leaseKind)
            {
                return;
            }

            if (after is null)
            {
                Leases.OnDelete(InMemoryStore.Read(KubeResources.Leases, before!));
            }
            else if (before is null)
            {
                Leases.OnAdd(InMemoryStore.Read(KubeResources.Leases, after));
            }
            else
            {
                Leases.OnUpdate(InMemoryStore.Read(KubeResources.Leases, before), InMemoryStore.Read(KubeResources.Leases, after));
            }
        };

        foreach (var (name, zone, region) in Nodes)
        {
            Put(KubeResources.Nodes, new Node
            {
                Metadata = new ObjectMeta
                {
                    Name = name,
                    Labels = new() { [Defaults.ZoneLabel] = zone, [Defaults.RegionLabel] = region, ["kubernetes.io/hostname"] = name },
                },
            });
        }

        var written = new WrittenObjects(Time);
        var writer = new RecordingKubeWriter(Api, Api, written);
        Reconciler = new DataClusterReconciler(
            new ReadYourWritesClusterCaches(Caches, written),
            Api,
            writer,
            writer,
            Events,
            Leases,
            new BuilderOptions { DefaultAgentImage = TestClusters.AgentImage },
            Time);
    }

    public FakeTimeProvider Time { get; }

    public InMemoryStore Store { get; }

    public InMemoryApi Api { get; }

    /// <summary>The informer caches as they are, without read-your-writes.</summary>
    public InMemoryClusterCaches Caches { get; }

    public LeaseObserver Leases { get; }

    public InMemoryEventRecorder Events { get; } = new();

    public DataClusterReconciler Reconciler { get; }

    /// <summary>The DataCluster as stored.</summary>
    public ClusterObject Cluster => Get(DataClusterResource.Tolerant, Name) ?? throw new InvalidOperationException("There is no DataCluster.");

    public DataClusterStatus Status => Cluster.Status ?? throw new InvalidOperationException("The DataCluster has no status yet.");

    public StatefulSet? StatefulSet => Get(KubeResources.StatefulSets, ObjectNames.StatefulSet(Name));

    public EndpointSlice? Slice => Get(KubeResources.EndpointSlices, ObjectNames.RingEndpointSlice(Name));

    /// <summary>The ring slice's membership epoch.</summary>
    public long Epoch => RingEndpointSliceBuilder.EpochOf(Slice) ?? throw new InvalidOperationException("The ring slice has no epoch.");

    // --- the reconciler -------------------------------------------------------------------

    /// <summary>One reconcile of the cluster, as the controller would run it.</summary>
    public Task<ReconcileResult> Reconcile() =>
        Reconciler.ReconcileAsync(new ReconcileRequest(Namespace, Name), TestContext.Current.CancellationToken);

    /// <summary>One reconcile; returns the writes it made.</summary>
    public async Task<List<ApiWrite>> ReconcileWrites()
    {
        var before = Api.Writes.Count;
        await Reconcile();
        return Api.Writes[before..];
    }

    // --- reads ----------------------------------------------------------------------------

    /// <summary>An object as stored, or null.</summary>
    public T? Get<T>(ResourceType<T> type, string name)
        where T : class, IKubernetesObject
    {
        var found = Store.Get(InMemoryStore.KindOf(type), type.Namespaced ? Namespace : null, name);
        return found is null ? null : InMemoryStore.Read(type, found);
    }

    public Condition Condition(string type) =>
        Conditions.Find(Status.Conditions, type) ?? throw new InvalidOperationException($"status has no {type} condition.");

    /// <summary>(status, reason) of a condition.</summary>
    public (string Status, string? Reason) ConditionOf(string type) => (Condition(type).Status, Condition(type).Reason);

    /// <summary>The Events recorded with <paramref name="reason"/>.</summary>
    public List<RecordedEvent> EventsWith(string reason) => [.. Events.Events.Where(e => e.Reason == reason)];

    /// <summary>The endpoint of a member in the ring slice.</summary>
    public Endpoint EndpointOf(int ordinal) => Slice!.Endpoints.Single(e => e.Hostname == ObjectNames.Pod(Name, ordinal));

    // --- the user -------------------------------------------------------------------------

    public void CreateCluster(Action<DataClusterSpec>? configure = null) =>
        Store.Create(InMemoryStore.KindOf(DataClusterResource.Type), InMemoryStore.Write(DataClusterResource.Type, TestClusters.Create(configure)));

    /// <summary>Changes the spec as kubectl edit would (the generation moves on).</summary>
    public void EditSpec(Action<DataClusterSpec> edit)
    {
        var cluster = Get(DataClusterResource.Type, Name)!;
        edit(cluster.Spec);
        Replace(DataClusterResource.Type, cluster);
    }

    // --- the StatefulSet controller and the kubelet ---------------------------------------

    /// <summary>
    /// The StatefulSet controller and the kubelet catch up with the StatefulSet: a Ready pod for
    /// each ordinal below its replicas (on the nodes in turn), none above, and a status that says
    /// every replica is current.
    /// </summary>
    public void RunStatefulSet()
    {
        var statefulSet = StatefulSet ?? throw new InvalidOperationException("There is no StatefulSet.");
        var replicas = statefulSet.Spec.Replicas ?? 1;
        foreach (var pod in Store.List(InMemoryStore.KindOf(KubeResources.Pods)).Select(p => InMemoryStore.Read(KubeResources.Pods, p)))
        {
            if (ObjectNames.OrdinalOf(Name, pod.Metadata.Name!) >= replicas)
            {
                Store.Delete(InMemoryStore.KindOf(KubeResources.Pods), Namespace, pod.Metadata.Name!);
            }
        }

        for (var ordinal = 0; ordinal < replicas; ordinal++)
        {
            if (PodOf(ordinal) is null)
            {
                StartPod(ordinal, statefulSet);
            }
        }

        statefulSet = StatefulSet!;
        statefulSet.Status = new StatefulSetStatus
        {
            ObservedGeneration = statefulSet.Metadata.Generation,
            Replicas = replicas,
            ReadyReplicas = replicas,
            CurrentReplicas = replicas,
            UpdatedReplicas = replicas,
            CurrentRevision = $"{Name}-1",
            UpdateRevision = $"{Name}-1",
        };
        Replace(KubeResources.StatefulSets, statefulSet);
    }

    /// <summary>The address the next pod of <paramref name="ordinal"/> gets; IPv4 10.0.0.(10 + ordinal) unless set.</summary>
    public void AddressPod(int ordinal, string address) => _addresses[ordinal] = address;

    public Pod? PodOf(int ordinal) => Get(KubeResources.Pods, ObjectNames.Pod(Name, ordinal));

    public void SetPodReady(int ordinal, bool ready)
    {
        var pod = PodOf(ordinal)!;
        pod.Status!.Conditions = [new PodCondition { Type = "Ready", Status = ready ? "True" : "False" }];
        Replace(KubeResources.Pods, pod);
    }

    private void StartPod(int ordinal, StatefulSet statefulSet)
    {
        var name = ObjectNames.Pod(Name, ordinal);
        var labels = new Dictionary<string, string>(statefulSet.Spec.Template.Metadata.Labels ?? [], StringComparer.Ordinal)
        {
            [LabelKeys.StatefulSetPodName] = name,
        };
        Put(KubeResources.Pods, new Pod
        {
            Metadata = new ObjectMeta
            {
                Name = name,
                Namespace = Namespace,
                Labels = labels,
                OwnerReferences = [new OwnerReference { ApiVersion = "apps/v1", Kind = "StatefulSet", Name = statefulSet.Metadata.Name!, Uid = statefulSet.Metadata.Uid!, Controller = true }],
            },
            Spec = new PodSpec { NodeName = Nodes[ordinal % Nodes.Count].Name },
            Status = new PodStatus
            {
                Phase = "Running",
                PodIp = _addresses.GetValueOrDefault(ordinal, $"10.0.0.{ordinal + 10}"),
                Conditions = [new PodCondition { Type = "Ready", Status = "True" }],
            },
        });
    }

    // --- the agents -----------------------------------------------------------------------

    /// <summary>
    /// The agents renew now: every running member's Lease (except <paramref name="silent"/>
    /// ones), and the leader Lease, held by the lowest live ordinal.
    /// </summary>
    public void RenewLeases(params int[] silent)
    {
        var duration = Defaults.Apply(Cluster).Spec.Agent.LeaseDurationSeconds;
        var members = Store.List(InMemoryStore.KindOf(KubeResources.Pods))
            .Select(p => ObjectNames.OrdinalOf(Name, (string)p["metadata"]!["name"]!))
            .Where(o => o >= 0 && !silent.Contains(o))
            .Order()
            .ToList();
        foreach (var ordinal in members)
        {
            Renew(ObjectNames.MemberLease(Name, ordinal), ObjectNames.Pod(Name, ordinal), duration);
        }

        if (members.Count > 0)
        {
            Renew(ObjectNames.LeaderLease(Name), ObjectNames.Pod(Name, members[0]), duration);
        }
    }

    /// <summary>Time passes, the agents renewing their Leases every two seconds as they do by default.</summary>
    public void Pass(TimeSpan span, params int[] silent)
    {
        var step = TimeSpan.FromSeconds(Limits.RenewIntervalSeconds.Default);
        for (var passed = TimeSpan.Zero; passed < span; passed += step)
        {
            Time.Advance(span - passed < step ? span - passed : step);
            RenewLeases(silent);
        }
    }

    /// <summary>
    /// The leader agent publishes the next assignment for the ring slice's membership as it is
    /// stored (ready members active, draining ones draining), computed with the ring's
    /// <see cref="Assigner"/> from the published one.
    /// </summary>
    public Assignment PublishAssignment()
    {
        var slice = Slice ?? throw new InvalidOperationException("There is no ring slice.");
        var draining = slice.Metadata.Annotations?.GetValueOrDefault(AnnotationKeys.DrainingMembers)?.Split(',') ?? [];
        var regions = AnnotationKeys.ParseRegions(slice.Metadata.Annotations?.GetValueOrDefault(AnnotationKeys.MemberRegions));
        var members = slice.Endpoints
            .Where(e => e.Conditions?.Ready == true || e.Conditions?.Terminating == true)
            .Select(e => new Member(
                e.Hostname!,
                ObjectNames.OrdinalOf(Name, e.Hostname!),
                e.Zone ?? "",
                regions.GetValueOrDefault(e.Hostname!, ""),
                e.Conditions?.Terminating == true || draining.Contains(e.Hostname) ? MemberState.Draining : MemberState.Active))
            .ToList();
        return PublishAssignment(members, Epoch);
    }

    /// <summary>The leader agent publishes the next assignment for <paramref name="members"/>, stamped with <paramref name="membershipEpoch"/>.</summary>
    public Assignment PublishAssignment(IReadOnlyCollection<Member> members, long membershipEpoch)
    {
        var spec = Defaults.Apply(Cluster).Spec;
        var settings = new AssignmentSettings(spec.Partitions, spec.Replication.Factor, spec.Replication.OtherZoneReplicas, spec.Replication.OtherRegionReplicas);
        var next = Assigner.Assign(PublishedAssignment(), members, settings);
        WriteAssignment(next, membershipEpoch);
        return next;
    }

    /// <summary>The assignment in the ConfigMap, or null.</summary>
    public Assignment? PublishedAssignment() =>
        Get(KubeResources.ConfigMaps, ObjectNames.AssignmentConfigMap(Name))?.Data?.GetValueOrDefault(AssignmentConfigMapKeys.Assignment) is { Length: > 0 } text
            ? AssignmentCodec.Decode(text)
            : null;

    /// <summary>Writes <paramref name="assignment"/> into the ConfigMap with the keys the agents use.</summary>
    public void WriteAssignment(Assignment assignment, long membershipEpoch) =>
        WriteAssignmentData(new Dictionary<string, string>
        {
            [AssignmentConfigMapKeys.Assignment] = AssignmentCodec.Encode(assignment),
            [AssignmentConfigMapKeys.Epoch] = assignment.Epoch.ToString(CultureInfo.InvariantCulture),
            [AssignmentConfigMapKeys.MembershipEpoch] = membershipEpoch.ToString(CultureInfo.InvariantCulture),
            [AssignmentConfigMapKeys.PublishedBy] = ObjectNames.Pod(Name, 0),
        });

    public void WriteAssignmentData(Dictionary<string, string> data)
    {
        var map = Get(KubeResources.ConfigMaps, ObjectNames.AssignmentConfigMap(Name)) ?? throw new InvalidOperationException("There is no assignment ConfigMap.");
        map.Data = data;
        Replace(KubeResources.ConfigMaps, map);
    }

    // --- the watches ----------------------------------------------------------------------

    /// <summary>The informer cache of <paramref name="type"/> stops showing changes (its watch lags) until <see cref="CatchUp"/>.</summary>
    public void Hold<T>(ResourceType<T> type)
        where T : class, IKubernetesObject => Store.Hold(InMemoryStore.KindOf(type));

    public void CatchUp() => Store.CatchUp();

    // --- composite steps ------------------------------------------------------------------

    /// <summary>
    /// A cluster created, its members started and renewing, the first assignment published, and
    /// reconciled until nothing is left to write: Ready, with status as the reconciler keeps it.
    /// </summary>
    public async Task FormAsync(Action<DataClusterSpec>? configure = null)
    {
        CreateCluster(configure);
        await Reconcile();
        RunStatefulSet();
        RenewLeases();
        await Reconcile();
        PublishAssignment();
        await Reconcile();
        Assert.Empty(await ReconcileWrites());
    }

    /// <summary>Stores an object written by someone other than the operator (create or replace).</summary>
    public void Put<T>(ResourceType<T> type, T obj)
        where T : class, IKubernetesObject
    {
        var kind = InMemoryStore.KindOf(type);
        var json = InMemoryStore.Write(type, obj);
        if (Store.Get(kind, type.Namespaced ? obj.Metadata.Namespace : null, obj.Metadata.Name!) is null)
        {
            Store.Create(kind, json);
        }
        else
        {
            Store.Replace(kind, json);
        }
    }

    private void Replace<T>(ResourceType<T> type, T obj)
        where T : class, IKubernetesObject => Store.Replace(InMemoryStore.KindOf(type), InMemoryStore.Write(type, obj));

    private void Renew(string leaseName, string holder, int durationSeconds)
    {
        var lease = Get(KubeResources.Leases, leaseName);
        if (lease is null)
        {
            return; // the operator has not created it yet
        }

        lease.Spec.HolderIdentity = holder;
        lease.Spec.LeaseDurationSeconds = durationSeconds;
        lease.Spec.RenewTime = Time.GetUtcNow();
        Replace(KubeResources.Leases, lease);
    }
}
