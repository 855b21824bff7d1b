using System.Text.Json;
using System.Text.Json.Nodes;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;
using DataCluster.Operator.Builders;

namespace DataCluster.Chart.Tests.GitOps;

/// <summary>One state of a DataCluster, the object the operator writes for it, and what each GitOps tool must make of it.</summary>
internal sealed record DataClusterState(string Name, string Argo, string Kstatus, Func<JsonObject> Object);

/// <summary>
/// DataClusters in every state a GitOps tool has to tell apart, with the status computed by the
/// operator's own StatusBuilder from the facts of that state, serialized as the operator writes it.
/// </summary>
internal static class DataClusterStates
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);

    public static readonly IReadOnlyList<DataClusterState> All =
    [
        new("just applied, no status yet", "Progressing", GitOps.Kstatus.Current, () => Object(Cluster(), status: null)),
        new("creating", "Progressing", GitOps.Kstatus.InProgress, () => Build(Input() with { StatefulSet = null, Members = [], Assignment = null, LeaderLease = null })),
        new("members starting", "Progressing", GitOps.Kstatus.InProgress, () => Build(Input() with { Members = Members(3, ready: 0), Assignment = null })),
        new("members ready, waiting for the first assignment", "Progressing", GitOps.Kstatus.InProgress, () => Build(Input() with { Assignment = null })),
        new("ready", "Healthy", GitOps.Kstatus.Current, () => Build(Input())),
        new("a member killed, within a lease", "Progressing", GitOps.Kstatus.InProgress, () => MemberKilled(secondsAgo: 3)),
        new("a member killed, beyond a lease", "Degraded", GitOps.Kstatus.Failed, () => MemberKilled(secondsAgo: 7)),
        new("a first start past its grace", "Degraded", GitOps.Kstatus.Failed, () => Later(Input() with { Members = Members(3, ready: 0), Assignment = null }, StatusBuilder.StartupGrace.Add(TimeSpan.FromMinutes(1)))),
        new("invalid from the start", "Degraded", GitOps.Kstatus.Failed, () => Build(Input() with
        {
            StatefulSet = null, Members = [], Assignment = null, LeaderLease = null,
            Problems = [new ValidationProblem("spec.replication.factor", "spec.replication.factor (5) is greater than spec.replicas (3): lower the factor or add replicas.")],
        })),
        new("an invalid change to a ready cluster", "Degraded", GitOps.Kstatus.Failed, () => Build(Input() with
        {
            Problems = [new ValidationProblem("spec.partitions", "spec.partitions cannot change after creation: set it back to 256.")],
        })),
        new("a change the StatefulSet cannot take", "Degraded", GitOps.Kstatus.Failed, () => Build(Input() with { IgnoredChanges = ["spec.storage.size asks for 2Gi but volume claims keep 1Gi: set it back to 1Gi."] })),
        new("rolling update", "Progressing", GitOps.Kstatus.InProgress, () => Build(Input() with { StatefulSet = StatefulSet(3, updated: 1) })),
        new("scaling up", "Progressing", GitOps.Kstatus.InProgress, () => Build(Input(replicas: 5))),
        new("draining for a scale-down", "Progressing", GitOps.Kstatus.InProgress, () => Draining(secondsWithoutProgress: 30)),
        new("a stalled drain", "Degraded", GitOps.Kstatus.Failed, () => Draining(secondsWithoutProgress: 900)),
        new("a spec change not yet observed", "Progressing", GitOps.Kstatus.InProgress, () =>
        {
            var ready = Build(Input());
            ready["metadata"]!["generation"] = 2;
            return ready;
        }),
        new("being deleted", "Progressing", GitOps.Kstatus.Terminating, () =>
        {
            var ready = Build(Input());
            ready["metadata"]!["deletionTimestamp"] = "2025-03-01T11:00:00Z";
            return ready;
        }),
    ];

    private static Operator.Api.DataCluster Cluster(int replicas = 3, DataClusterStatus? status = null) => new()
    {
        ApiVersion = "datacluster.dev/v1alpha1",
        Kind = "DataCluster",
        Metadata = new ObjectMeta { Name = "orders", Namespace = "shop", Uid = "3f6a2b1c-0000-4000-8000-000000000001", Generation = 1, CreationTimestamp = T0.AddMinutes(-1) },
        Spec = new DataClusterSpec { Replicas = replicas },
        Status = status,
    };

    private static StatusInput Input(int replicas = 3) => new()
    {
        Cluster = Defaults.Apply(Cluster(replicas)),
        StatefulSet = StatefulSet(3),
        Members = Members(3, ready: 3),
        MembershipEpoch = 3,
        Assignment = new AssignmentSummary(4, Counts(3, 256), Counts(3, 85)),
        LeaderLease = new Lease { Spec = new LeaseSpec { HolderIdentity = "orders-1", LeaseDurationSeconds = 6, RenewTime = T0 } },
        Now = T0.AddSeconds(1),
    };

    /// <summary>Members 0..count-1 that renewed their Lease at T0; the first <paramref name="ready"/> of them with a ready pod.</summary>
    private static MemberFacts[] Members(int count, int ready, DateTimeOffset? renewed = null, int draining = int.MaxValue) =>
        [.. Enumerable.Range(0, count).Select(i => new MemberFacts(
            $"orders-{i}", i, $"uid-{i}", $"10.0.0.{10 + i}", $"node-{i}", $"zone-{i % 2}", i < ready, renewed ?? T0, 6, i >= draining))];

    private static Dictionary<string, int> Counts(int members, int each) =>
        Enumerable.Range(0, members).ToDictionary(i => $"orders-{i}", _ => each);

    private static StatefulSet StatefulSet(int replicas, int? updated = null) => new()
    {
        Metadata = new ObjectMeta { Name = "orders", Generation = 1 },
        Spec = new StatefulSetSpec { Replicas = replicas },
        Status = new StatefulSetStatus
        {
            ObservedGeneration = 1, Replicas = replicas, ReadyReplicas = replicas, UpdatedReplicas = updated ?? replicas,
            CurrentRevision = "orders-a", UpdateRevision = updated is null ? "orders-a" : "orders-b",
        },
    };

    /// <summary>A cluster that lost member 2 and has waited <paramref name="secondsAgo"/>: the operator saw it go, then looked again.</summary>
    private static JsonObject MemberKilled(int secondsAgo)
    {
        var killed = Input() with { Members = Members(3, ready: 2), Now = T0 };
        return Later(killed, TimeSpan.FromSeconds(secondsAgo));
    }

    /// <summary>The status of <paramref name="input"/>, then the status the operator computes from it <paramref name="after"/> later, with the live members renewing.</summary>
    private static JsonObject Later(StatusInput input, TimeSpan after)
    {
        var first = StatusBuilder.Build(input);
        var now = input.Now + after;
        var members = input.Members.Select(m => m with { LeaseRenewTime = m.PodReady ? now.AddSeconds(-1) : m.LeaseRenewTime }).ToArray();
        return Build(input with { Cluster = Defaults.Apply(Cluster(input.Cluster.Spec.Replicas, first)), Members = members, Now = now });
    }

    /// <summary>A scale-down from four members to three, draining orders-3, whose replicas last moved <paramref name="secondsWithoutProgress"/> ago.</summary>
    private static JsonObject Draining(int secondsWithoutProgress)
    {
        var now = T0.AddSeconds(secondsWithoutProgress);
        return Build(Input() with
        {
            StatefulSet = StatefulSet(4),
            Members = Members(4, ready: 4, renewed: now.AddSeconds(-1), draining: 3),
            Assignment = new AssignmentSummary(9, new Dictionary<string, int> { ["orders-3"] = 12 }, new Dictionary<string, int>()),
            LastDrainProgress = T0,
            Now = now,
        });
    }

    private static JsonObject Build(StatusInput input) => Object(input.Cluster.Cluster, StatusBuilder.Build(input));

    /// <summary>The DataCluster as the API server returns it after the operator wrote <paramref name="status"/>.</summary>
    private static JsonObject Object(Operator.Api.DataCluster cluster, DataClusterStatus? status)
    {
        var copy = JsonSerializer.SerializeToElement(cluster, OperatorJsonContext.Default.DataCluster).Deserialize(OperatorJsonContext.Default.DataCluster)!;
        copy.Status = status;
        return JsonSerializer.SerializeToNode(copy, OperatorJsonContext.Default.DataCluster)!.AsObject();
    }
}
