using DataCluster.Contracts;
using DataCluster.Kube.Models;

using DataCluster.Operator.Api;

namespace DataCluster.Operator.Builders;

/// <summary>The assignment ConfigMap NAME-assignment.</summary>
public static class ConfigMapBuilder
{
    /// <summary>
    /// An empty placeholder. The leader agent writes the assignment into it; the operator only
    /// creates it (so it carries the owner reference and labels, and the agents need no create
    /// permission) and never writes its data.
    /// </summary>
    public static ConfigMap Assignment(DefaultedCluster cluster) => new()
    {
        Metadata = Owner.Metadata(cluster, ObjectNames.AssignmentConfigMap(Owner.ClusterName(cluster)), Components.Ring),
    };
}
