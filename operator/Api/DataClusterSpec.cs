using System.Text.Json.Serialization;
using DataCluster.Contracts;
using DataCluster.Kube.Models;

namespace DataCluster.Operator.Api;

/// <summary>
/// The desired state of a DataCluster. Property initializers are the defaults (the CRD schema is
/// generated from them); <see cref="Defaults.Apply"/> also repairs fields sent as explicit nulls.
/// Like every API type here it keeps fields it does not declare (<see cref="KubeModel"/>), so a
/// write never drops what a newer CRD version added.
/// </summary>
public sealed class DataClusterSpec : KubeModel
{
    [JsonPropertyName("replicas")]
    [Description("Number of members (pods). Each member runs the app containers of the template plus the DataCluster agent. Scaling down drains the removed members first: their partitions move to the remaining members before their pods are deleted.")]
    [Minimum(1)]
    public int Replicas { get; set; } = Defaults.Replicas;

    [JsonPropertyName("partitions")]
    [Description("Number of partitions keys are hashed into. Fixed for the life of the cluster: changing it would move every key, so a change is reported as Valid=False and ignored. Choose at least 16 times the largest member count you expect, for an even spread.")]
    [Minimum(Limits.Partitions.Min)]
    [Maximum(Limits.Partitions.Max)]
    public int Partitions { get; set; } = Limits.Partitions.Default;

    [JsonPropertyName("replication")]
    [Description("How many copies of each partition exist, where they are placed and when a write counts as committed.")]
    public ReplicationSpec Replication { get; set; } = new();

    [JsonPropertyName("template")]
    [Description("Pod template for the app containers (a PodTemplateSpec). The operator adds the DataCluster agent container, the volumes 'data' and 'peer-token', the service account NAME-agent and, unless the template sets its own, a topology spread over zones. Container names 'datacluster-agent', ports 8080 and 7070 and volume names 'data', 'peer-token' and 'datacluster-tmp' are reserved. When omitted, the pods run only the agent.")]
    [PreserveUnknownFields]
    public PodTemplateSpec? Template { get; set; }

    [JsonPropertyName("agent")]
    [Description("The DataCluster agent container added to every member pod.")]
    public AgentSpec Agent { get; set; } = new();

    [JsonPropertyName("storage")]
    [Description("The persistent volume each member keeps its partition logs on. Fixed at creation, like a StatefulSet's volume claim templates. The volumes belong to the DataCluster: deleting the DataCluster deletes them and the data on them.")]
    public StorageSpec Storage { get; set; } = new();

    [JsonPropertyName("topology")]
    [Description("The node labels that tell which zone and region a member runs in; replica placement and the zone spread of pods use them.")]
    public TopologySpec Topology { get; set; } = new();

    [JsonPropertyName("scaleDown")]
    [Description("How scale-down drains members.")]
    public ScaleDownSpec ScaleDown { get; set; } = new();

    [JsonPropertyName("podDisruptionBudget")]
    [Description("The PodDisruptionBudget the operator keeps for the members, so voluntary disruptions (node drains) take members down one at a time.")]
    public DisruptionBudgetSpec PodDisruptionBudget { get; set; } = new();
}

/// <summary>Replication settings: copies per partition, placement, commit level.</summary>
public sealed class ReplicationSpec : KubeModel
{
    [JsonPropertyName("factor")]
    [Description("Replicas of each partition, the partition leader included. Must not exceed spec.replicas: two replicas of a partition never share a member.")]
    [Minimum(Limits.ReplicationFactor.Min)]
    [Maximum(Limits.ReplicationFactor.Max)]
    public int Factor { get; set; } = Limits.ReplicationFactor.Default;

    [JsonPropertyName("commitLevel")]
    [Description("Replicas that must have a write before it is acknowledged: One (the leader), Quorum (a majority of the replicas) or All.")]
    [OneOf(CommitLevels.One, CommitLevels.Quorum, CommitLevels.All)]
    public string CommitLevel { get; set; } = CommitLevels.Default;

    [JsonPropertyName("otherZoneReplicas")]
    [Description("Replicas placed in zones other than the leader's, within its region. Together with otherRegionReplicas at most factor - 1, since one replica is the leader's. When there are not enough zones, replicas fall back to what exists.")]
    [Minimum(Limits.PlacedReplicas.Min)]
    [Maximum(Limits.PlacedReplicas.Max)]
    public int OtherZoneReplicas { get; set; }

    [JsonPropertyName("otherRegionReplicas")]
    [Description("Replicas placed in regions other than the leader's. Together with otherZoneReplicas at most factor - 1.")]
    [Minimum(Limits.PlacedReplicas.Min)]
    [Maximum(Limits.PlacedReplicas.Max)]
    public int OtherRegionReplicas { get; set; }

    [JsonPropertyName("substitutes")]
    [Description("When a replica of a partition cannot take a write (its member is down), the partition leader places that copy on a member that holds no replica of the partition, chosen by the same zone and region rules, so the factor is kept and commitLevel All can still be met; the stand-in hands the records over when the replica is back and then drops them. false: writes at All wait (and time out) while a replica is down. Changing it restarts the members, as any change to the pod template does.")]
    public bool Substitutes { get; set; } = true;
}

/// <summary>Storage of the agent's partition logs.</summary>
public sealed class StorageSpec : KubeModel
{
    [JsonPropertyName("size")]
    [Description("Size of each member's volume, a quantity such as 1Gi or 500Mi.")]
    [Quantity]
    [JsonConverter(typeof(QuantityConverter))]
    public string Size { get; set; } = Defaults.StorageSize;

    [JsonPropertyName("storageClassName")]
    [Description("StorageClass of the volumes; the cluster's default class when omitted.")]
    public string? StorageClassName { get; set; }
}

/// <summary>Node labels that carry topology.</summary>
public sealed class TopologySpec : KubeModel
{
    [JsonPropertyName("zoneLabel")]
    [Description("Node label whose value is the node's zone.")]
    [MinLength(1)]
    public string ZoneLabel { get; set; } = Defaults.ZoneLabel;

    [JsonPropertyName("regionLabel")]
    [Description("Node label whose value is the node's region.")]
    [MinLength(1)]
    public string RegionLabel { get; set; } = Defaults.RegionLabel;
}

/// <summary>Scale-down behaviour.</summary>
public sealed class ScaleDownSpec : KubeModel
{
    [JsonPropertyName("drainDeadlineSeconds")]
    [Description("When members being drained have moved no partition for this long, the operator reports Rebalancing with reason DrainStalled and emits a Warning event. The drain goes on; this only raises the alarm.")]
    [Minimum(1)]
    public int DrainDeadlineSeconds { get; set; } = Defaults.DrainDeadlineSeconds;
}

/// <summary>The members' PodDisruptionBudget.</summary>
public sealed class DisruptionBudgetSpec : KubeModel
{
    [JsonPropertyName("maxUnavailable")]
    [Description("Members that voluntary disruptions may take down at the same time. 0 blocks node drains until the budget is raised.")]
    [Minimum(0)]
    public int MaxUnavailable { get; set; } = Defaults.MaxUnavailable;
}

