using System.Text.RegularExpressions;
using DataCluster.Contracts;
using DataCluster.Kube.Models;

namespace DataCluster.Operator.Api;

/// <summary>One reason a DataCluster cannot be reconciled.</summary>
/// <param name="Field">The offending field's path, e.g. <c>spec.replication.factor</c>.</param>
/// <param name="Message">What is wrong and how to fix it, as one sentence for a condition or Event.</param>
public sealed record ValidationProblem(string Field, string Message);

/// <summary>
/// Semantic validation: everything the CRD schema cannot express on a 1.20 API server (no CEL),
/// plus the schema's own bounds again so an object stored under an older or missing schema is
/// still caught. The reconciler reports the problems as <c>Valid=False</c> and a Warning Event
/// and changes nothing for the cluster until the list is empty.
/// </summary>
public static partial class Validation
{
    /// <summary>Reserved for the emptyDir the agent uses as /tmp (its root filesystem is read-only).</summary>
    public const string TmpVolume = "datacluster-tmp";

    /// <summary>
    /// A StatefulSet's pods carry the label controller-revision-hash = NAME-HASH, which must fit a
    /// 63-character label value; the hash takes up to 11 characters.
    /// </summary>
    public const int MaxNameLength = 52;

    /// <summary>
    /// Every problem of <paramref name="cluster"/>, in field order; empty when it is valid.
    /// Pure and total: any input, however malformed, yields a list rather than an exception.
    /// </summary>
    /// <param name="cluster">The cluster as read, defaulted.</param>
    /// <param name="defaultAgentImage">The operator's --agent-image, used when spec.agent.image is empty.</param>
    public static IReadOnlyList<ValidationProblem> Validate(DefaultedCluster cluster, string? defaultAgentImage)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (cluster.DecodeError is { } decodeError)
        {
            return [new ValidationProblem("spec", $"{decodeError}, so the DataCluster cannot be read: fix that field with kubectl edit (spec.template must be a PodTemplateSpec and spec.agent.env a list of EnvVar objects, as in a pod).")];
        }

        var defaulted = cluster;
        var spec = defaulted.Spec;
        var problems = new List<ValidationProblem>();
        void Add(string field, string message) => problems.Add(new ValidationProblem(field, message));

        var name = defaulted.Metadata.Name ?? "";
        if (name.Length > MaxNameLength || !Dns1035Label().IsMatch(name))
        {
            Add("metadata.name", $"metadata.name '{name}' cannot name the cluster's StatefulSet and Services: delete the DataCluster and create it again under a name of at most {MaxNameLength} lowercase letters, digits and '-', starting with a letter and ending with a letter or digit.");
        }

        if (spec.Replicas < 1)
        {
            Add("spec.replicas", $"spec.replicas ({spec.Replicas}) must be at least 1: set it to the number of members you want, e.g. 3.");
        }

        if (spec.Partitions is < Limits.Partitions.Min or > Limits.Partitions.Max)
        {
            Add("spec.partitions", $"spec.partitions ({spec.Partitions}) must be between {Limits.Partitions.Min} and {Limits.Partitions.Max}: set it to at least 16 times the largest member count you expect, e.g. {Limits.Partitions.Default}.");
        }

        if (FixedPartitions.Check(defaulted.Status, spec) is { } changed)
        {
            problems.Add(changed);
        }

        ValidateReplication(spec, Add);
        ValidateAgent(spec.Agent, defaultAgentImage, Add);

        if (!IsQuantity(spec.Storage.Size))
        {
            Add("spec.storage.size", $"spec.storage.size '{spec.Storage.Size}' is not a quantity: write it like 1Gi or 500Mi.");
        }

        if (spec.ScaleDown.DrainDeadlineSeconds < 1)
        {
            Add("spec.scaleDown.drainDeadlineSeconds", $"spec.scaleDown.drainDeadlineSeconds ({spec.ScaleDown.DrainDeadlineSeconds}) must be at least 1: remove it to use {Defaults.DrainDeadlineSeconds}.");
        }

        if (spec.PodDisruptionBudget.MaxUnavailable < 0)
        {
            Add("spec.podDisruptionBudget.maxUnavailable", $"spec.podDisruptionBudget.maxUnavailable ({spec.PodDisruptionBudget.MaxUnavailable}) must not be negative: set it to 0 or more, e.g. {Defaults.MaxUnavailable}.");
        }

        if (spec.Template is { } template)
        {
            ValidateTemplate(template, Add);
        }

        return problems;
    }

    private static void ValidateReplication(DataClusterSpec spec, Action<string, string> add)
    {
        var replication = spec.Replication;
        if (replication.Factor is < Limits.ReplicationFactor.Min or > Limits.ReplicationFactor.Max)
        {
            add("spec.replication.factor", $"spec.replication.factor ({replication.Factor}) must be between {Limits.ReplicationFactor.Min} and {Limits.ReplicationFactor.Max}: set it to the number of copies of each partition you want, e.g. {Limits.ReplicationFactor.Default}.");
        }
        else if (replication.Factor > spec.Replicas && spec.Replicas >= 1)
        {
            add("spec.replication.factor", $"spec.replication.factor ({replication.Factor}) is greater than spec.replicas ({spec.Replicas}): lower the factor to at most {spec.Replicas} or raise replicas to at least {replication.Factor}.");
        }

        if (!CommitLevels.Values.Contains(replication.CommitLevel))
        {
            add("spec.replication.commitLevel", $"spec.replication.commitLevel '{replication.CommitLevel}' is not known: use {CommitLevels.Accepted}.");
        }

        if (replication.OtherZoneReplicas < 0)
        {
            add("spec.replication.otherZoneReplicas", $"spec.replication.otherZoneReplicas ({replication.OtherZoneReplicas}) must not be negative: set it to 0 or more.");
        }

        if (replication.OtherRegionReplicas < 0)
        {
            add("spec.replication.otherRegionReplicas", $"spec.replication.otherRegionReplicas ({replication.OtherRegionReplicas}) must not be negative: set it to 0 or more.");
        }

        var placed = (long)replication.OtherZoneReplicas + replication.OtherRegionReplicas;
        if (replication.OtherZoneReplicas >= 0 && replication.OtherRegionReplicas >= 0 && replication.Factor >= 1 && placed > replication.Factor - 1)
        {
            add("spec.replication", $"spec.replication.otherZoneReplicas ({replication.OtherZoneReplicas}) + otherRegionReplicas ({replication.OtherRegionReplicas}) = {placed} is more than factor - 1 ({replication.Factor - 1}), the replicas left besides the leader's: lower them to {replication.Factor - 1} in total or raise the factor to at least {placed + 1}.");
        }
    }

    private static void ValidateAgent(AgentSpec agent, string? defaultAgentImage, Action<string, string> add)
    {
        if (Defaults.AgentImage(agent, defaultAgentImage) is null)
        {
            add("spec.agent.image", "spec.agent.image is empty and the operator has no default agent image: set spec.agent.image, or start the operator with --agent-image.");
        }

        if (agent.ImagePullPolicy is { } policy && !ImagePullPolicies.Values.Contains(policy))
        {
            add("spec.agent.imagePullPolicy", $"spec.agent.imagePullPolicy '{policy}' is not known: use Always, IfNotPresent or Never, or remove it.");
        }

        var durationInRange = agent.LeaseDurationSeconds is >= Limits.LeaseDurationSeconds.Min and <= Limits.LeaseDurationSeconds.Max;
        var intervalInRange = agent.RenewIntervalSeconds is >= Limits.RenewIntervalSeconds.Min and <= Limits.RenewIntervalSeconds.Max;
        if (!durationInRange)
        {
            add("spec.agent.leaseDurationSeconds", $"spec.agent.leaseDurationSeconds ({agent.LeaseDurationSeconds}) must be between {Limits.LeaseDurationSeconds.Min} and {Limits.LeaseDurationSeconds.Max}: remove it to use {Limits.LeaseDurationSeconds.Default}.");
        }

        if (!intervalInRange)
        {
            add("spec.agent.renewIntervalSeconds", $"spec.agent.renewIntervalSeconds ({agent.RenewIntervalSeconds}) must be between {Limits.RenewIntervalSeconds.Min} and {Limits.RenewIntervalSeconds.Max}: remove it to use {Limits.RenewIntervalSeconds.Default}.");
        }

        if (durationInRange && intervalInRange && agent.RenewIntervalSeconds >= agent.LeaseDurationSeconds)
        {
            var suggested = Math.Max(1, agent.LeaseDurationSeconds / 3);
            add("spec.agent.renewIntervalSeconds", $"spec.agent.renewIntervalSeconds ({agent.RenewIntervalSeconds}) must be less than spec.agent.leaseDurationSeconds ({agent.LeaseDurationSeconds}), or healthy members' Leases expire between renewals: lower renewIntervalSeconds to {suggested} (a third of the duration) or raise leaseDurationSeconds to at least {agent.RenewIntervalSeconds * 3}.");
        }

        if (!string.IsNullOrEmpty(agent.AppDeliveryUrl)
            && (!Uri.TryCreate(agent.AppDeliveryUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            add("spec.agent.appDeliveryUrl", $"spec.agent.appDeliveryUrl '{agent.AppDeliveryUrl}' is not an absolute http or https URL: write it like http://localhost:9000/events, or remove it to let apps pull events.");
        }

        if (!LogLevels.Values.Contains(agent.LogLevel))
        {
            add("spec.agent.logLevel", $"spec.agent.logLevel '{agent.LogLevel}' is not known: use Trace, Debug, Information, Warning, Error or Critical.");
        }

        foreach (var (kind, list) in new[] { ("requests", agent.Resources?.Requests), ("limits", agent.Resources?.Limits) })
        {
            foreach (var (resource, quantity) in list ?? [])
            {
                if (!IsQuantity(quantity))
                {
                    add($"spec.agent.resources.{kind}.{resource}", $"spec.agent.resources.{kind}.{resource} '{quantity}' is not a quantity: write it like 500m, 2 or 256Mi.");
                }
            }
        }

        // A container's env is a list keyed by name: the API server refuses a StatefulSet that
        // lists one name twice, so the repeat is reported here instead of failing every apply.
        var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < (agent.Env?.Count ?? 0); i++)
        {
            var name = agent.Env![i]?.Name;
            if (string.IsNullOrEmpty(name))
            {
                add($"spec.agent.env[{i}].name", $"spec.agent.env[{i}] has no name: give every variable a name, or remove the entry.");
            }
            else if (!firstIndex.TryAdd(name, i))
            {
                add($"spec.agent.env[{i}].name", $"spec.agent.env[{i}]: '{name}' is already given by spec.agent.env[{firstIndex[name]}]; a container lists each variable once: remove one of them.");
            }
        }
    }

    private static void ValidateTemplate(PodTemplateSpec template, Action<string, string> add)
    {
        var spec = template.Spec;
        if (spec is null)
        {
            return;
        }

        if (spec.RestartPolicy is { Length: > 0 } restart && restart != "Always")
        {
            add("spec.template.spec.restartPolicy", $"spec.template.spec.restartPolicy is '{restart}', but members are StatefulSet pods, which must restart: remove restartPolicy or set it to Always.");
        }

        foreach (var (list, containers) in new[] { ("initContainers", spec.InitContainers), ("containers", spec.Containers) })
        {
            for (var i = 0; i < (containers?.Count ?? 0); i++)
            {
                var container = containers![i];
                if (container is null)
                {
                    continue;
                }

                var path = $"spec.template.spec.{list}[{i}]";
                if (container.Name == AgentPaths.ContainerName)
                {
                    add($"{path}.name", $"{path} is named '{AgentPaths.ContainerName}', the name of the container the operator adds: rename your container.");
                }

                foreach (var port in container.Ports ?? [])
                {
                    if (port?.Port is AgentPorts.Client or AgentPorts.Peer)
                    {
                        add($"{path}.ports", $"{path} ('{container.Name}') declares port {port.Port}, which the agent listens on in the same pod: move your container to another port (the agent uses {AgentPorts.Client} and {AgentPorts.Peer}).");
                    }
                }
            }
        }

        var volumes = spec.Volumes ?? [];
        for (var i = 0; i < volumes.Count; i++)
        {
            if (volumes[i]?.Name is AgentPaths.DataVolume or AgentPaths.PeerTokenVolume or TmpVolume)
            {
                add($"spec.template.spec.volumes[{i}].name", $"spec.template.spec.volumes[{i}] is named '{volumes[i].Name}', which the operator uses for the agent's volumes: rename your volume (reserved: {AgentPaths.DataVolume}, {AgentPaths.PeerTokenVolume}, {TmpVolume}).");
            }
        }
    }

    private static bool IsQuantity(string? value) => value is not null && QuantitySyntax().IsMatch(value);

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1035Label();

    [GeneratedRegex(QuantityAttribute.Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex QuantitySyntax();
}
