namespace DataCluster.Contracts;

/// <summary>
/// Data keys of the assignment ConfigMap NAME-assignment (docs/assignment-encoding.md), written by
/// the leader agent and read by the agents and the operator.
/// </summary>
public static class AssignmentConfigMapKeys
{
    /// <summary>The encoded assignment (ring's AssignmentCodec).</summary>
    public const string Assignment = "assignment";

    /// <summary>The assignment epoch, repeated for kubectl and label-free readers.</summary>
    public const string Epoch = "epoch";

    /// <summary>The ring EndpointSlice membership epoch the assignment was computed from.</summary>
    public const string MembershipEpoch = "membershipEpoch";

    /// <summary>The leader agent (pod name) that wrote it.</summary>
    public const string PublishedBy = "publishedBy";
}
