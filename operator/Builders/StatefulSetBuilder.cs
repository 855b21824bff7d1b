using System.Text.Json;
using DataCluster.Contracts;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;

namespace DataCluster.Operator.Builders;

/// <summary>
/// The StatefulSet that runs a DataCluster's members: the user's pod template with the agent
/// container, its volumes and identity added.
/// </summary>
public static class StatefulSetBuilder
{
    /// <summary>
    /// Two minutes for a member to stop: on SIGTERM the agent hands its partition leaderships to
    /// caught-up followers (about a second each, in parallel), finishes in-flight replication and
    /// flushes its logs. A clean stop takes seconds and the pod goes as soon as the agent exits;
    /// the ceiling only matters when a handoff is stuck, and then a longer wait is still cheaper
    /// than a failover by lease expiry. The agent bounds its own handoff
    /// (DATACLUSTER_SHUTDOWN_GRACE_SECONDS, at most <see cref="Limits.ShutdownGraceSeconds.Max"/>,
    /// then its host's stop) below this, so the kubelet's SIGKILL never cuts one short.
    /// </summary>
    public const long TerminationGracePeriodSeconds = 120;

    /// <summary>
    /// The desired StatefulSet. Pure: the input is not changed and the result shares no objects
    /// with it.
    /// </summary>
    /// <param name="cluster">The DataCluster as read; defaults are applied to a copy.</param>
    /// <param name="options">Operator settings (default agent image).</param>
    /// <param name="replicas">
    /// Pods to run; spec.replicas when null. On scale-down the reconciler keeps the current count
    /// until the members being removed are drained, then passes the new one.
    /// </param>
    public static StatefulSet Build(DefaultedCluster cluster, BuilderOptions options, int? replicas = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var name = Owner.ClusterName(cluster);
        var spec = cluster.Spec;

        return new StatefulSet
        {
            Metadata = Owner.Metadata(cluster, ObjectNames.StatefulSet(name), Components.Member),
            Spec = new StatefulSetSpec
            {
                Replicas = replicas ?? spec.Replicas,
                Selector = new LabelSelector { MatchLabels = Labels.Selector(name) },
                ServiceName = ObjectNames.PeerService(name),
                // Members are independent peers: none needs another to be ready before it starts,
                // and ordered start-up would make a whole-cluster restart (or recovery after a
                // zone outage) wait for each pod in turn.
                PodManagementPolicy = "Parallel",
                UpdateStrategy = new StatefulSetUpdateStrategy { Type = "RollingUpdate" },
                Template = PodTemplate(cluster, options),
                VolumeClaimTemplates = [DataClaim(cluster)],
            },
        };
    }

    /// <summary>The pod template of a defaulted cluster: the user's template (copied, unknown fields kept) plus everything the agent needs.</summary>
    internal static PodTemplateSpec PodTemplate(DefaultedCluster cluster, BuilderOptions options)
    {
        var name = Owner.ClusterName(cluster);
        var template = Copy(cluster.Spec.Template);
        template.Metadata ??= new ObjectMeta();
        template.Spec ??= new PodSpec();
        var pod = template.Spec;

        // The user's labels first; ours overwrite them, because the selector depends on them.
        var labels = new Dictionary<string, string>(template.Metadata.Labels ?? [], StringComparer.Ordinal);
        foreach (var (key, value) in Labels.Standard(name, Components.Member))
        {
            labels[key] = value;
        }

        template.Metadata = new ObjectMeta { Labels = labels, Annotations = template.Metadata.Annotations };

        pod.Containers = [.. (pod.Containers ?? []).Where(c => c is not null), AgentContainer.Build(cluster, options)];
        pod.Volumes =
        [
            .. (pod.Volumes ?? []).Where(v => v is not null),
            new Volume
            {
                Name = AgentPaths.PeerTokenVolume,
                // 0400: only the owner may read the token; with fsGroup set the kubelet adds group
                // read and gives the file the pod's group, which is how the non-root agent reads it.
                Secret = new SecretVolumeSource { SecretName = ObjectNames.PeerTokenSecret(name), DefaultMode = 256 },
            },
            new Volume { Name = Validation.TmpVolume, EmptyDir = new EmptyDirVolumeSource() },
        ];

        // The agent talks to the API server as NAME-agent; the pod has one identity, so the app
        // containers share it (grant the app's own permissions to NAME-agent).
        pod.ServiceAccountName = ObjectNames.AgentServiceAccount(name);
        pod.ExtensionData?.Remove("serviceAccount");
        pod.AutomountServiceAccountToken = true;

        var security = pod.SecurityContext ??= new PodSecurityContext();
        security.FsGroup ??= AgentContainer.UserId;
        // Without this the kubelet re-owns every file of the data volume on each start, which for
        // a large log slows every restart and so every recovery.
        security.FsGroupChangePolicy ??= "OnRootMismatch";

        pod.TerminationGracePeriodSeconds = Math.Max(pod.TerminationGracePeriodSeconds ?? 0, TerminationGracePeriodSeconds);

        if (pod.TopologySpreadConstraints is not { Count: > 0 })
        {
            pod.TopologySpreadConstraints =
            [
                new TopologySpreadConstraint
                {
                    MaxSkew = 1,
                    TopologyKey = cluster.Spec.Topology.ZoneLabel,
                    // A preference, not a rule: a cluster with fewer zones than members must still
                    // start, and replica placement already falls back to what exists.
                    WhenUnsatisfiable = "ScheduleAnyway",
                    LabelSelector = new LabelSelector { MatchLabels = Labels.Selector(name) },
                },
            ];
        }

        return template;
    }

    /// <summary>
    /// The claim template of the agent's data volume. volumeClaimTemplates are immutable in a
    /// StatefulSet, so its labels are only those that never change for a cluster.
    /// </summary>
    internal static PersistentVolumeClaim DataClaim(DefaultedCluster cluster)
    {
        var name = Owner.ClusterName(cluster);
        var labels = Labels.Selector(name);
        labels[LabelKeys.Cluster] = name;
        return new PersistentVolumeClaim
        {
            Metadata = new ObjectMeta { Name = AgentPaths.DataVolume, Labels = labels },
            Spec = new PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                StorageClassName = string.IsNullOrEmpty(cluster.Spec.Storage.StorageClassName) ? null : cluster.Spec.Storage.StorageClassName,
                Resources = new ResourceRequirements { Requests = new Dictionary<string, string>(StringComparer.Ordinal) { ["storage"] = cluster.Spec.Storage.Size } },
            },
        };
    }

    private static PodTemplateSpec Copy(PodTemplateSpec? template) =>
        template is null
            ? new PodTemplateSpec()
            : JsonSerializer.SerializeToElement(template, OperatorJsonContext.Default.PodTemplateSpec)
                .Deserialize(OperatorJsonContext.Default.PodTemplateSpec) ?? new PodTemplateSpec();
}
