using System.Text.Json;
using DataCluster.Contracts;

namespace DataCluster.Operator.Api;

/// <summary>
/// Default values of the DataCluster spec and the defaulting function. The API server applies the
/// same defaults from the CRD schema (generated from the property initializers that use these
/// constants); the operator applies them again so an object stored before a default existed, or
/// with a field sent as explicit null, reads the same.
/// </summary>
public static class Defaults
{
    /// <summary>Three members: the smallest cluster where a QUORUM write survives losing one member.</summary>
    public const int Replicas = 3;

    public const string LogLevel = LogLevels.Information;

    /// <summary>Enough for a demo or a small cluster's logs; production sets its own.</summary>
    public const string StorageSize = "1Gi";

    /// <summary>The well-known node labels every cloud provider sets.</summary>
    public const string ZoneLabel = "topology.kubernetes.io/zone";

    public const string RegionLabel = "topology.kubernetes.io/region";

    /// <summary>
    /// Ten minutes without progress before a drain is reported stalled: moving a partition replica
    /// copies its log, which can take minutes for large logs on slow disks.
    /// </summary>
    public const int DrainDeadlineSeconds = 600;

    /// <summary>One member down at a time: with factor 3 and QUORUM, every partition keeps a majority.</summary>
    public const int MaxUnavailable = 1;

    /// <summary>
    /// Returns a defaulted deep copy of <paramref name="cluster"/>: sections sent as null become
    /// their defaults and empty strings with a default take it. The input is never changed, so it
    /// is safe to call on objects from an informer cache. Idempotent.
    /// </summary>
    public static DefaultedCluster Apply(DataCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var copy = JsonSerializer.SerializeToElement(cluster, OperatorJsonContext.Default.DataCluster)
            .Deserialize(OperatorJsonContext.Default.DataCluster)!;
        copy.Metadata ??= new Kube.Models.ObjectMeta();
        ApplyTo(copy.Spec ??= new DataClusterSpec());
        return new DefaultedCluster(copy, cluster.DecodeError);
    }

    /// <summary>The agent image to run: the spec's, else the operator's default; null when neither is set.</summary>
    public static string? AgentImage(AgentSpec agent, string? operatorDefault)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return !string.IsNullOrWhiteSpace(agent.Image) ? agent.Image
            : !string.IsNullOrWhiteSpace(operatorDefault) ? operatorDefault
            : null;
    }

    // Explicit JSON nulls bypass the initializers, hence the null checks on non-nullable members.
    private static void ApplyTo(DataClusterSpec spec)
    {
        var replication = spec.Replication ??= new ReplicationSpec();
        if (string.IsNullOrEmpty(replication.CommitLevel))
        {
            replication.CommitLevel = CommitLevels.Default;
        }

        var agent = spec.Agent ??= new AgentSpec();
        if (string.IsNullOrEmpty(agent.LogLevel))
        {
            agent.LogLevel = LogLevel;
        }

        var storage = spec.Storage ??= new StorageSpec();
        if (string.IsNullOrEmpty(storage.Size))
        {
            storage.Size = StorageSize;
        }

        var topology = spec.Topology ??= new TopologySpec();
        if (string.IsNullOrEmpty(topology.ZoneLabel))
        {
            topology.ZoneLabel = ZoneLabel;
        }

        if (string.IsNullOrEmpty(topology.RegionLabel))
        {
            topology.RegionLabel = RegionLabel;
        }

        spec.ScaleDown ??= new ScaleDownSpec();
        spec.PodDisruptionBudget ??= new DisruptionBudgetSpec();
    }
}
