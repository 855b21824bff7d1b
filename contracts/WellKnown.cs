namespace DataCluster.Contracts;

/// <summary>API group, version and kind of the DataCluster resource.</summary>
public static class DataClusterApi
{
    public const string Group = "datacluster.dev";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Group + "/" + Version;
    public const string Kind = "DataCluster";
    public const string Plural = "dataclusters";
    public const string ShortName = "dc";
}

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

/// <summary>Annotation keys.</summary>
public static class AnnotationKeys
{
    /// <summary>On the ring EndpointSlice: increases on every membership change.</summary>
    public const string MembershipEpoch = "datacluster.dev/membership-epoch";

    /// <summary>
    /// On the ring EndpointSlice: comma-separated member names being drained. Redundant with the
    /// endpoints' terminating condition, which API servers before 1.22 drop unless a feature gate is on.
    /// </summary>
    public const string DrainingMembers = "datacluster.dev/draining";
}

/// <summary>Names of the objects that belong to a DataCluster called <c>name</c>.</summary>
public static class ObjectNames
{
    public static string StatefulSet(string cluster) => cluster;

    public static string ClientService(string cluster) => cluster;

    public static string PeerService(string cluster) => $"{cluster}-peers";

    public static string RingService(string cluster) => $"{cluster}-ring";

    /// <summary>The operator-managed EndpointSlice carrying ring membership.</summary>
    public static string RingEndpointSlice(string cluster) => $"{cluster}-ring";

    public static string PodDisruptionBudget(string cluster) => cluster;

    public static string AgentServiceAccount(string cluster) => $"{cluster}-agent";

    public static string AgentRole(string cluster) => $"{cluster}-agent";

    public static string AgentRoleBinding(string cluster) => $"{cluster}-agent";

    public static string PeerTokenSecret(string cluster) => $"{cluster}-peer-token";

    public static string AssignmentConfigMap(string cluster) => $"{cluster}-assignment";

    public static string LeaderLease(string cluster) => $"{cluster}-leader";

    public static string MemberLease(string cluster, int ordinal) => $"{cluster}-member-{ordinal}";

    /// <summary>The StatefulSet pod of an ordinal.</summary>
    public static string Pod(string cluster, int ordinal) => $"{cluster}-{ordinal}";

    /// <summary>The ordinal of a StatefulSet pod name, or -1 when the name is not one of the cluster's pods.</summary>
    public static int OrdinalOf(string cluster, string podName)
    {
        var prefix = cluster + "-";
        if (!podName.StartsWith(prefix, StringComparison.Ordinal))
        {
            return -1;
        }

        var rest = podName.AsSpan(prefix.Length);
        return rest.Length > 0 && rest.Length <= 9 && (rest.Length == 1 || rest[0] != '0')
            && int.TryParse(rest, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ordinal)
            ? ordinal
            : -1;
    }
}

/// <summary>Ports of the agent container.</summary>
public static class AgentPorts
{
    /// <summary>App and client API, health, metrics.</summary>
    public const int Client = 8080;
    public const string ClientName = "http";

    /// <summary>Peer traffic (replication), bearer-token protected.</summary>
    public const int Peer = 7070;
    public const string PeerName = "peer";
}

/// <summary>Well-known paths inside the agent container.</summary>
public static class AgentPaths
{
    public const string DataDirectory = "/var/lib/datacluster";
    public const string PeerTokenDirectory = "/var/run/datacluster/peer-token";
    public const string PeerTokenKey = "token";
    public const string DataVolume = "data";
    public const string PeerTokenVolume = "peer-token";
    public const string ContainerName = "datacluster-agent";
}

/// <summary>Data keys of the assignment ConfigMap NAME-assignment (docs/assignment-encoding.md).</summary>
public static class AssignmentConfigMapKeys
{
    /// <summary>The assignment in the ring's text encoding.</summary>
    public const string Assignment = "assignment";

    /// <summary>The assignment epoch, repeated for kubectl and for readers that do not decode.</summary>
    public const string Epoch = "epoch";

    /// <summary>The ring EndpointSlice's membership epoch the assignment was computed from.</summary>
    public const string MembershipEpoch = "membershipEpoch";

    /// <summary>The pod name of the cluster leader that wrote it.</summary>
    public const string PublishedBy = "publishedBy";
}
