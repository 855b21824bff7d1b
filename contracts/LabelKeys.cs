namespace DataCluster.Contracts;

/// <summary>Label keys. The app.kubernetes.io ones follow the Kubernetes recommended labels.</summary>
public static class LabelKeys
{
    public const string Name = "app.kubernetes.io/name";
    public const string Instance = "app.kubernetes.io/instance";
    public const string Component = "app.kubernetes.io/component";
    public const string PartOf = "app.kubernetes.io/part-of";
    public const string ManagedBy = "app.kubernetes.io/managed-by";

    /// <summary>The DataCluster an object belongs to.</summary>
    public const string Cluster = "datacluster.dev/cluster";

    /// <summary>Marks EndpointSlices we manage so the EndpointSlice controller leaves them alone.</summary>
    public const string EndpointSliceManagedBy = "endpointslice.kubernetes.io/managed-by";

    /// <summary>Links an EndpointSlice to its Service.</summary>
    public const string EndpointSliceServiceName = "kubernetes.io/service-name";

    /// <summary>Set by the StatefulSet controller on each pod.</summary>
    public const string StatefulSetPodName = "statefulset.kubernetes.io/pod-name";

    public const string AppName = "datacluster";
    public const string OperatorName = "datacluster-operator";
    public const string EndpointSliceController = "datacluster-operator.datacluster.dev";
}
