namespace DataCluster.Contracts;

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
