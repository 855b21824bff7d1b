using System.Text.Json.Serialization;
using DataCluster.Kube.Models;

namespace DataCluster.Operator.Api;

/// <summary>
/// The observed state of a DataCluster, written by the operator through the status subresource.
/// Computed as a whole by <c>StatusBuilder</c> from what the operator observed.
/// </summary>
public sealed class DataClusterStatus : KubeModel
{
    [JsonPropertyName("observedGeneration")]
    [Description("The metadata.generation of the spec this status describes.")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("partitions")]
    [Description("The partition count recorded when the cluster was first reconciled. spec.partitions must keep this value.")]
    public int? Partitions { get; set; }

    [JsonPropertyName("readyMembers")]
    [Description("Members whose pod is ready, whose heartbeat Lease is fresh and that are not being drained.")]
    public int ReadyMembers { get; set; }

    [JsonPropertyName("membersReady")]
    [Description("readyMembers/spec.replicas, for kubectl get.")]
    public string? MembersReady { get; set; }

    [JsonPropertyName("membershipEpoch")]
    [Description("Version of the ring membership published on the ring EndpointSlice; increases on every membership change.")]
    public long MembershipEpoch { get; set; }

    [JsonPropertyName("assignmentEpoch")]
    [Description("Version of the partition assignment the leader agent last published; 0 until the first assignment.")]
    public long AssignmentEpoch { get; set; }

    [JsonPropertyName("leader")]
    [Description("Identity (pod name) of the agent that currently holds the cluster leader Lease; empty when no agent holds a fresh one.")]
    public string? Leader { get; set; }

    [JsonPropertyName("members")]
    [Description("One entry per member pod, by ordinal.")]
    public List<MemberStatus>? Members { get; set; }

    [JsonPropertyName("drain")]
    [Description("While a scale-down drains members: which ones, from which membership epoch, since when and how far it got. Absent when no member is being drained.")]
    public DrainStatus? Drain { get; set; }

    [JsonPropertyName("conditions")]
    [Description("Ready, Progressing, Degraded, Valid and Rebalancing, and for tools that read kstatus conventions (Flux, kpt) Reconciling and Stalled, as standard Kubernetes conditions.")]
    public List<Condition>? Conditions { get; set; }
}

/// <summary>
/// The bookkeeping of a scale-down in progress. Kept in status so a restarted operator continues
/// the drain where the previous one left it.
/// </summary>
public sealed class DrainStatus : KubeModel
{
    [JsonPropertyName("members")]
    [Description("The members (pod names) being drained: the StatefulSet ordinals from spec.replicas up to its current replicas.")]
    public List<string>? Members { get; set; }

    [JsonPropertyName("membershipEpoch")]
    [Description("The ring membership epoch that first published these members as draining. The StatefulSet shrinks only once an assignment computed from this epoch or a later one shows that they hold no partition replicas.")]
    public long MembershipEpoch { get; set; }

    [JsonPropertyName("startedAt")]
    [Description("When the drain began.")]
    public DateTimeOffset? StartedAt { get; set; }

    [JsonPropertyName("lastProgressAt")]
    [Description("When the partition replicas held by the draining members last went down, or the drain began. A drain without progress for spec.scaleDown.drainDeadlineSeconds is reported as stalled.")]
    public DateTimeOffset? LastProgressAt { get; set; }

    [JsonPropertyName("replicasLeft")]
    [Description("Partition replicas the draining members still hold in the newest assignment; -1 until an assignment computed after the drain began is published.")]
    public int ReplicasLeft { get; set; }
}

/// <summary>A summary of one member.</summary>
public sealed class MemberStatus : KubeModel
{
    [JsonPropertyName("name")]
    [Description("The member's pod name, which is also its identity in the ring.")]
    [Required]
    public string Name { get; set; } = "";

    [JsonPropertyName("ordinal")]
    [Description("The pod's StatefulSet ordinal.")]
    [Required]
    public int Ordinal { get; set; }

    [JsonPropertyName("ready")]
    [Description("The pod is ready and its heartbeat Lease is fresh.")]
    public bool Ready { get; set; }

    [JsonPropertyName("zone")]
    [Description("The zone of the member's node (from the node label named by spec.topology.zoneLabel).")]
    public string? Zone { get; set; }

    [JsonPropertyName("draining")]
    [Description("The member is being drained before removal: it leads no partition and its replicas move to other members.")]
    public bool Draining { get; set; }

    [JsonPropertyName("leaseRenewTime")]
    [Description("When the member last renewed its heartbeat Lease. Shown only once the Lease has expired: a live member renews every few seconds, and recording each renewal would rewrite the status just as often.")]
    public DateTimeOffset? LeaseRenewTime { get; set; }

    [JsonPropertyName("replicas")]
    [Description("Partition replicas the current assignment places on the member, the ones it leads included.")]
    public int Replicas { get; set; }

    [JsonPropertyName("leads")]
    [Description("Partitions the member leads in the current assignment.")]
    public int Leads { get; set; }
}
