using System.Globalization;
using DataCluster.Contracts;
using DataCluster.Ring;

namespace DataCluster.Agent.Assignments;

/// <summary>What an assignment ConfigMap holds, as far as this agent can tell.</summary>
public enum AssignmentDocumentKind
{
    /// <summary>No assignment published yet (no or empty <c>assignment</c> key).</summary>
    Empty,

    /// <summary>A valid assignment for this cluster's partition count.</summary>
    Valid,

    /// <summary>
    /// Something this agent must not act on or overwrite: undecodable text, a newer encoding,
    /// or another partition count. <see cref="AssignmentDocument.Problem"/> says which and how to fix it.
    /// </summary>
    Unusable,
}

/// <summary>The decoded data of the assignment ConfigMap. Immutable.</summary>
/// <param name="Kind">Empty, valid or unusable.</param>
/// <param name="Assignment">The snapshot when <see cref="AssignmentDocumentKind.Valid"/>.</param>
/// <param name="MembershipEpoch">The <c>membershipEpoch</c> key, when readable.</param>
/// <param name="PublishedBy">The <c>publishedBy</c> key, when present.</param>
/// <param name="EpochKey">The <c>epoch</c> key, when readable, even if the assignment itself is not.</param>
/// <param name="Problem">Why it is unusable and what to do, for logs and /readyz.</param>
public sealed record AssignmentDocument(
    AssignmentDocumentKind Kind,
    Assignment? Assignment,
    long? MembershipEpoch,
    string? PublishedBy,
    long? EpochKey,
    string? Problem)
{
    /// <summary>The highest epoch this document proves was published (the snapshot's or the epoch key's).</summary>
    public long HighestEpoch => Math.Max(Assignment?.Epoch ?? 0, EpochKey ?? 0);

    /// <summary>Reads ConfigMap data (null = no data) for a cluster of <paramref name="partitions"/> partitions.</summary>
    public static AssignmentDocument Read(IReadOnlyDictionary<string, string>? data, int partitions, string configMap)
    {
        var epochKey = Number(data, AssignmentConfigMapKeys.Epoch);
        var membershipEpoch = Number(data, AssignmentConfigMapKeys.MembershipEpoch);
        var publishedBy = data?.GetValueOrDefault(AssignmentConfigMapKeys.PublishedBy);
        var text = data?.GetValueOrDefault(AssignmentConfigMapKeys.Assignment);
        if (string.IsNullOrWhiteSpace(text))
        {
            return new AssignmentDocument(AssignmentDocumentKind.Empty, null, membershipEpoch, publishedBy, epochKey, null);
        }

        var assignment = AssignmentCodec.TryDecode(text, out var error);
        if (assignment is null)
        {
            return Unusable(
                $"the ConfigMap {configMap} key '{AssignmentConfigMapKeys.Assignment}' cannot be used: {error}. " +
                "The agents keep acting on the last assignment they loaded and the cluster leader will not overwrite it. " +
                "If an agent or operator of a newer version wrote it, finish upgrading every agent; if it was edited by hand, " +
                $"restore it, or remove the key '{AssignmentConfigMapKeys.Assignment}' and the leader publishes a new assignment above epoch {epochKey ?? 0}");
        }

        if (assignment.Partitions != partitions)
        {
            return Unusable(
                $"the ConfigMap {configMap} holds an assignment of {assignment.Partitions} partitions but this agent is configured with " +
                $"{partitions} ({AgentEnvironment.Partitions}); the partition count is fixed when the cluster is created. " +
                "Set the agents' partition count back to the cluster's; the cluster leader will not overwrite the assignment meanwhile");
        }

        return new AssignmentDocument(AssignmentDocumentKind.Valid, assignment, membershipEpoch, publishedBy, epochKey, null);

        AssignmentDocument Unusable(string problem) =>
            new(AssignmentDocumentKind.Unusable, null, membershipEpoch, publishedBy, epochKey, problem);
    }

    /// <summary>The ConfigMap data that publishes <paramref name="assignment"/>.</summary>
    public static Dictionary<string, string> Data(Assignment assignment, long? membershipEpoch, string publishedBy)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [AssignmentConfigMapKeys.Assignment] = AssignmentCodec.Encode(assignment),
            [AssignmentConfigMapKeys.Epoch] = assignment.Epoch.ToString(CultureInfo.InvariantCulture),
            [AssignmentConfigMapKeys.MembershipEpoch] = membershipEpoch?.ToString(CultureInfo.InvariantCulture) ?? "",
            [AssignmentConfigMapKeys.PublishedBy] = publishedBy,
        };
    }

    private static long? Number(IReadOnlyDictionary<string, string>? data, string key) =>
        data?.GetValueOrDefault(key) is { } text && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
