namespace DataCluster.Contracts;

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
