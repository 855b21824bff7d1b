using DataCluster.Contracts;

namespace DataCluster.Operator.Builders;

/// <summary>The app.kubernetes.io/component value of each owned object.</summary>
public static class Components
{
    /// <summary>Member pods and what serves them: StatefulSet, peer and client Services, PodDisruptionBudget.</summary>
    public const string Member = "member";

    /// <summary>Ring membership and coordination: ring Service and EndpointSlice, Leases, assignment ConfigMap.</summary>
    public const string Ring = "ring";

    /// <summary>The agent's identity and secrets: ServiceAccount, Role, RoleBinding, peer-token Secret.</summary>
    public const string Agent = "agent";
}

/// <summary>The labels every object of a DataCluster carries, and the pod selector.</summary>
public static class Labels
{
    /// <summary>
    /// The labels that select a cluster's pods. A StatefulSet's selector is immutable, so it holds
    /// only labels that can never change for a given cluster.
    /// </summary>
    public static Dictionary<string, string> Selector(string cluster) => new(StringComparer.Ordinal)
    {
        [LabelKeys.Name] = LabelKeys.AppName,
        [LabelKeys.Instance] = cluster,
    };

    /// <summary>The recommended app.kubernetes.io labels plus datacluster.dev/cluster.</summary>
    public static Dictionary<string, string> Standard(string cluster, string component)
    {
        var labels = Selector(cluster);
        labels[LabelKeys.Component] = component;
        labels[LabelKeys.PartOf] = LabelKeys.AppName;
        labels[LabelKeys.ManagedBy] = LabelKeys.OperatorName;
        labels[LabelKeys.Cluster] = cluster;
        return labels;
    }
}
