using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;
using DataCluster.Ring;

namespace DataCluster.Operator.Tests.Integration;

/// <summary>
/// Plays the kubelet and the agents of one namespace, as an admin, in a background loop: binds
/// pending member pods to the fixture's Nodes (by ordinal), reports them Running and Ready with a
/// loopback address, completes their deletion, renews member Leases and the leader Lease, and
/// (unless turned off) publishes an assignment whenever the ring's membership changes, the way
/// the leader agent would. Each behaviour can be held back per pod to stage a failure.
/// </summary>
internal sealed class Simulation : IAsyncDisposable
{
    // Four rounds a second: quick next to the seconds a lease lasts, light on the API server.
    private static readonly TimeSpan Round = TimeSpan.FromMilliseconds(250);

    private readonly KubeClient _admin;
    private readonly OperatorFixture _fixture;
    private readonly string _ns;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _renewed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _published = new(StringComparer.Ordinal);

    public Simulation(OperatorFixture fixture, string ns)
    {
        _fixture = fixture;
        _admin = fixture.Admin;
        _ns = ns;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Publish an assignment when membership changes; off to stage the leader agent by hand.</summary>
    public bool PublishAssignments { get; set; } = true;

    /// <summary>Pods whose member Lease is no longer renewed (a hung or partitioned agent).</summary>
    public ConcurrentDictionary<string, bool> SilentMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>Pods whose deletion the kubelet does not complete yet (they stay Terminating).</summary>
    public ConcurrentDictionary<string, bool> HeldDeletions { get; } = new(StringComparer.Ordinal);

    /// <summary>Completed rounds; a test waits for a few to be sure the simulation has acted on a change.</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    /// <summary>Failures of the last round, for diagnosis.</summary>
    public string? LastError { get; private set; }

    private long _rounds;

    /// <summary>The loopback address the simulated kubelet gives a member; the API server accepts loopback addresses in EndpointSlices.</summary>
    public static string AddressOf(string cluster, int ordinal) => $"127.0.0.{ordinal + 10}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await StepAsync(_stop.Token);
                LastError = null;
            }
            catch (Exception e) when (!_stop.IsCancellationRequested)
            {
                LastError = $"{e.GetType().Name}: {e.Message}";
            }

            Interlocked.Increment(ref _rounds);
            try
            {
                await Task.Delay(Round, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task StepAsync(CancellationToken ct)
    {
        var pods = (await _admin.ListAsync(KubeResources.Pods, _ns, new ListOptions { LabelSelector = LabelKeys.Cluster }, ct)).Items;
        foreach (var pod in pods)
        {
            await KubeletAsync(pod, ct);
        }

        var clusters = (await _admin.ListAsync(DataClusterResource.Tolerant, _ns, cancellationToken: ct)).Items;
        foreach (var cluster in clusters.Where(c => c.DecodeError is null))
        {
            var name = cluster.Metadata.Name!;
            var duration = cluster.Spec.Agent?.LeaseDurationSeconds ?? Limits.LeaseDurationSeconds.Default;
            var members = pods.Where(p => p.Metadata.Labels?.GetValueOrDefault(LabelKeys.Cluster) == name && IsRunning(p))
                .OrderBy(p => ObjectNames.OrdinalOf(name, p.Metadata.Name!)).ToList();
            foreach (var pod in members.Where(p => !SilentMembers.ContainsKey(p.Metadata.Name!)))
            {
                var ordinal = ObjectNames.OrdinalOf(name, pod.Metadata.Name!);
                await RenewAsync(ObjectNames.MemberLease(name, ordinal), pod.Metadata.Name!, duration, ct);
            }

            if (members.FirstOrDefault(p => !SilentMembers.ContainsKey(p.Metadata.Name!)) is { } leader)
            {
                await RenewAsync(ObjectNames.LeaderLease(name), leader.Metadata.Name!, duration, ct);
            }

            if (PublishAssignments)
            {
                await PublishAsync(cluster, leader: members.FirstOrDefault()?.Metadata.Name, ct);
            }
        }
    }

    private async Task KubeletAsync(Pod pod, CancellationToken ct)
    {
        var name = pod.Metadata.Name!;
        var cluster = pod.Metadata.Labels![LabelKeys.Cluster];
        var ordinal = ObjectNames.OrdinalOf(cluster, name);
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            if (!HeldDeletions.ContainsKey(name))
            {
                await _admin.DeleteIfExistsAsync(KubeResources.Pods, _ns, name, new DeleteOptions { GracePeriodSeconds = 0, PreconditionUid = pod.Metadata.Uid }, ct);
            }

            return;
        }

        if (string.IsNullOrEmpty(pod.Spec.NodeName))
        {
            var node = OperatorFixture.Nodes[Math.Max(ordinal, 0) % OperatorFixture.Nodes.Count].Name;
            await _admin.PostSubresourceAsync(KubeResources.Pods, _ns, name, "binding",
                new Binding { Metadata = new ObjectMeta { Name = name, Namespace = _ns }, Target = new ObjectReference { Kind = "Node", Name = node } },
                KubeJsonContext.Default.Binding, ct);
            return;
        }

        if (!IsRunning(pod))
        {
            await SetReadyAsync(name, AddressOf(cluster, ordinal), ready: true, ct);
        }
    }

    /// <summary>Reports the pod Running with <paramref name="address"/>, Ready or not.</summary>
    public Task SetReadyAsync(string pod, string address, bool ready, CancellationToken ct = default)
    {
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        JsonObject Condition(string type, bool status) => new() { ["type"] = type, ["status"] = status ? "True" : "False", ["lastTransitionTime"] = now };
        var patch = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["phase"] = "Running",
                ["hostIP"] = "127.0.0.1",
                ["podIP"] = address,
                ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = address }),
                ["startTime"] = now,
                ["conditions"] = new JsonArray(
                    Condition("PodScheduled", true), Condition("Initialized", true), Condition("ContainersReady", ready), Condition("Ready", ready)),
            },
        };
        return _admin.MergePatchStatusAsync(KubeResources.Pods, _ns, pod, patch, ct);
    }

    public static bool IsRunning(Pod pod) =>
        pod.Metadata.DeletionTimestamp is null
        && !string.IsNullOrEmpty(pod.Status?.PodIp)
        && pod.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>
    /// Renews a Lease as its holder a quarter of its duration after the last renewal: a little
    /// more often than the agents' third, so a test machine pausing the loop for a few seconds
    /// does not expire a member the test means to keep alive.
    /// </summary>
    private async Task RenewAsync(string leaseName, string holder, int durationSeconds, CancellationToken ct)
    {
        var key = $"{leaseName}/{holder}";
        if (_renewed.TryGetValue(key, out var last) && DateTimeOffset.UtcNow - last < TimeSpan.FromSeconds(durationSeconds / 4.0))
        {
            return;
        }

        var lease = await _admin.GetAsync(KubeResources.Leases, _ns, leaseName, ct);
        if (lease is null)
        {
            return; // the operator has not created it yet
        }

        var now = DateTimeOffset.UtcNow;
        if (lease.Spec.HolderIdentity != holder)
        {
            lease.Spec.AcquireTime = now;
            lease.Spec.LeaseTransitions = (lease.Spec.LeaseTransitions ?? 0) + 1;
        }

        lease.Spec.HolderIdentity = holder;
        lease.Spec.RenewTime = now;
        lease.Spec.LeaseDurationSeconds = durationSeconds;
        try
        {
            await _admin.UpdateAsync(KubeResources.Leases, lease, ct);
            _renewed[key] = now;
        }
        catch (ConflictException)
        {
            // Someone else wrote it; next round.
        }
    }

    /// <summary>Publishes an assignment for the ring's current membership when it changed since the last one.</summary>
    private async Task PublishAsync(Api.DataCluster cluster, string? leader, CancellationToken ct)
    {
        var name = cluster.Metadata.Name!;
        var slice = await _admin.GetAsync(_fixture.Slices, _ns, ObjectNames.RingEndpointSlice(name), ct);
        if (slice is null || RingEndpointSliceBuilder.EpochOf(slice) is not { } epoch)
        {
            return;
        }

        var members = MembersOf(slice);
        var key = string.Join(',', members.Select(m => $"{m.Id}:{m.State}"));
        if (members.Count == 0 || (_published.TryGetValue(name, out var last) && last == key))
        {
            return;
        }

        await PublishAsync(cluster, members, epoch, leader ?? members[0].Id, ct);
        _published[name] = key;
    }

    /// <summary>Members as the leader agent sees them in the slice: ready ones active, draining ones draining.</summary>
    public static List<Member> MembersOf(EndpointSlice slice)
    {
        var draining = slice.Metadata.Annotations?.GetValueOrDefault(AnnotationKeys.DrainingMembers)?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? [];
        return
        [
            .. slice.Endpoints
                .Where(e => e.Conditions?.Ready == true || e.Conditions?.Terminating == true || draining.Contains(e.Hostname))
                .Select(e => new Member(
                    e.Hostname!,
                    int.Parse(e.Hostname![(e.Hostname!.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture),
                    e.Zone ?? "",
                    e.DeprecatedTopology?.GetValueOrDefault(RingEndpointSliceBuilder.RegionKey) ?? "",
                    e.Conditions?.Terminating == true || draining.Contains(e.Hostname) ? MemberState.Draining : MemberState.Active)),
        ];
    }

    /// <summary>Computes the next assignment for <paramref name="members"/> and writes it as the leader agent would.</summary>
    public async Task<Assignment> PublishAsync(Api.DataCluster cluster, IReadOnlyCollection<Member> members, long membershipEpoch, string publisher, CancellationToken ct = default)
    {
        var spec = Defaults.Apply(cluster).Spec;
        var previous = await ReadAssignmentAsync(cluster.Metadata.Name!, ct);
        var settings = new AssignmentSettings(spec.Partitions, spec.Replication.Factor, spec.Replication.OtherZoneReplicas, spec.Replication.OtherRegionReplicas);
        var next = Assigner.Assign(previous, members, settings);
        await WriteAssignmentAsync(cluster.Metadata.Name!, next, membershipEpoch, publisher, ct);
        return next;
    }

    /// <summary>The assignment in the ConfigMap, or null.</summary>
    public async Task<Assignment?> ReadAssignmentAsync(string cluster, CancellationToken ct = default)
    {
        var map = await _admin.GetAsync(KubeResources.ConfigMaps, _ns, ObjectNames.AssignmentConfigMap(cluster), ct);
        return map?.Data?.GetValueOrDefault(AssignmentConfigMapKeys.Assignment) is { Length: > 0 } text ? AssignmentCodec.Decode(text) : null;
    }

    /// <summary>Writes <paramref name="assignment"/> into the ConfigMap with get and update, as the leader agent does.</summary>
    public async Task WriteAssignmentAsync(string cluster, Assignment assignment, long membershipEpoch, string publisher, CancellationToken ct = default)
    {
        while (true)
        {
            var map = await _admin.GetAsync(KubeResources.ConfigMaps, _ns, ObjectNames.AssignmentConfigMap(cluster), ct)
                ?? throw new InvalidOperationException($"ConfigMap {ObjectNames.AssignmentConfigMap(cluster)} does not exist.");
            map.Data = new Dictionary<string, string>
            {
                [AssignmentConfigMapKeys.Assignment] = AssignmentCodec.Encode(assignment),
                [AssignmentConfigMapKeys.Epoch] = assignment.Epoch.ToString(CultureInfo.InvariantCulture),
                [AssignmentConfigMapKeys.MembershipEpoch] = membershipEpoch.ToString(CultureInfo.InvariantCulture),
                [AssignmentConfigMapKeys.PublishedBy] = publisher,
            };
            try
            {
                await _admin.UpdateAsync(KubeResources.ConfigMaps, map, ct);
                return;
            }
            catch (ConflictException)
            {
            }
        }
    }
}
