using DataCluster.Contracts;
using DataCluster.Kube.Models;

using DataCluster.Operator.Api;

namespace DataCluster.Operator.Builders;

/// <summary>Metadata shared by every object a DataCluster owns.</summary>
public static class Owner
{
    /// <summary>
    /// The controller reference to <paramref name="cluster"/>: deleting the DataCluster garbage
    /// collects the object, and blockOwnerDeletion keeps foreground deletion waiting for it.
    /// </summary>
    /// <exception cref="ArgumentException">The cluster has no uid (it was not read from the API server).</exception>
    public static OwnerReference Reference(DefaultedCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var uid = cluster.Metadata.Uid;
        if (string.IsNullOrEmpty(uid))
        {
            throw new ArgumentException($"DataCluster '{cluster.Metadata.Name}' has no metadata.uid; owned objects need one for their owner reference.", nameof(cluster));
        }

        return new OwnerReference
        {
            ApiVersion = DataClusterApi.ApiVersion,
            Kind = DataClusterApi.Kind,
            Name = cluster.Metadata.Name ?? "",
            Uid = uid,
            Controller = true,
            BlockOwnerDeletion = true,
        };
    }

    /// <summary>Metadata for an owned object: name, the cluster's namespace, standard labels and the owner reference.</summary>
    public static ObjectMeta Metadata(DefaultedCluster cluster, string name, string component) => new()
    {
        Name = name,
        Namespace = cluster.Metadata.Namespace,
        Labels = Labels.Standard(ClusterName(cluster), component),
        OwnerReferences = [Reference(cluster)],
    };

    /// <summary>The cluster's name; every owned object's name derives from it.</summary>
    /// <exception cref="ArgumentException">The cluster has no name.</exception>
    public static string ClusterName(DefaultedCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return string.IsNullOrEmpty(cluster.Metadata.Name)
            ? throw new ArgumentException("The DataCluster has no metadata.name.", nameof(cluster))
            : cluster.Metadata.Name;
    }
}
