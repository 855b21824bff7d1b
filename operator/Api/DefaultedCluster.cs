using DataCluster.Kube.Models;

namespace DataCluster.Operator.Api;

/// <summary>
/// A DataCluster with every default applied (<see cref="Defaults.Apply"/>): no spec section is
/// null and every defaulted string is set. Validation, the builders and the status take this
/// type, so a reconcile defaults its cluster once and passes the result on.
/// </summary>
/// <remarks>Wraps a private copy; treat it as read-only (builders never change it).</remarks>
public sealed class DefaultedCluster
{
    internal DefaultedCluster(DataCluster cluster, string? decodeError)
    {
        Cluster = cluster;
        DecodeError = decodeError;
    }

    /// <summary>The defaulted copy.</summary>
    public DataCluster Cluster { get; }

    /// <summary>The object's metadata.</summary>
    public ObjectMeta Metadata => Cluster.Metadata;

    /// <summary>The spec with its defaults.</summary>
    public DataClusterSpec Spec => Cluster.Spec;

    /// <summary>The status as read (not defaulted).</summary>
    public DataClusterStatus? Status => Cluster.Status;

    /// <summary>The cluster's name, empty when unset.</summary>
    public string Name => Cluster.Metadata.Name ?? "";

    /// <summary>Why the stored object could not be read as a DataCluster (<see cref="DataCluster.DecodeError"/>), or null.</summary>
    public string? DecodeError { get; }
}
