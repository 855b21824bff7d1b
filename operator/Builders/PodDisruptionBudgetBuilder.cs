using DataCluster.Contracts;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;

namespace DataCluster.Operator.Builders;

/// <summary>The PodDisruptionBudget NAME that limits voluntary disruptions of the members.</summary>
public static class PodDisruptionBudgetBuilder
{
    /// <summary>
    /// maxUnavailable from spec.podDisruptionBudget, over the members' pod selector. The selector
    /// is never empty, which matters on policy/v1beta1 servers where an empty one selects nothing.
    /// </summary>
    public static PodDisruptionBudget Build(DefaultedCluster cluster)
    {
        var name = Owner.ClusterName(cluster);
        return new PodDisruptionBudget
        {
            Metadata = Owner.Metadata(cluster, ObjectNames.PodDisruptionBudget(name), Components.Member),
            Spec = new PodDisruptionBudgetSpec
            {
                MaxUnavailable = cluster.Spec.PodDisruptionBudget.MaxUnavailable,
                Selector = new LabelSelector { MatchLabels = Labels.Selector(name) },
            },
        };
    }
}
