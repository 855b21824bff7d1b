using System.Globalization;
using DataCluster.Contracts;
using DataCluster.Kube.Models;
using DataCluster.Operator.Builders;
using DataCluster.Ring;

namespace DataCluster.Operator.Controllers;

/// <summary>
/// The assignment the leader agent published in the ConfigMap NAME-assignment, as the operator
/// reads it: whether there is one, the decoded snapshot, the membership epoch it was computed
/// from, and per-member counts for status.
/// </summary>
/// <param name="HasData">The ConfigMap holds an assignment (an agent has published at least once).</param>
/// <param name="Value">The decoded snapshot; null when there is none or it cannot be read.</param>
/// <param name="MembershipEpoch">The ring epoch the assignment was computed from; null when absent or unreadable.</param>
/// <param name="Error">Why the assignment cannot be read; null when it can (or there is none).</param>
/// <param name="Summary">Replica and leader counts per member for status; null when there is no readable assignment.</param>
public sealed record PublishedAssignment(bool HasData, Assignment? Value, long? MembershipEpoch, string? Error, AssignmentSummary? Summary)
{
    /// <summary>No ConfigMap, or no assignment in it yet.</summary>
    public static PublishedAssignment None { get; } = new(false, null, null, null, null);

    /// <summary>Reads the ConfigMap. Pure; decoding costs O(partitions × factor), so callers cache by resourceVersion.</summary>
    public static PublishedAssignment Read(ConfigMap? configMap)
    {
        if (configMap?.Data is not { } data
            || !data.TryGetValue(AssignmentConfigMapKeys.Assignment, out var text)
            || string.IsNullOrWhiteSpace(text))
        {
            return None;
        }

        var assignment = AssignmentCodec.TryDecode(text, out var error);
        if (assignment is null)
        {
            return new PublishedAssignment(true, null, null, error, null);
        }

        long? membershipEpoch = data.TryGetValue(AssignmentConfigMapKeys.MembershipEpoch, out var epochText)
            && long.TryParse(epochText, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
                ? epoch
                : null;
        return new PublishedAssignment(true, assignment, membershipEpoch,
            membershipEpoch is null ? $"the ConfigMap lacks a readable '{AssignmentConfigMapKeys.MembershipEpoch}'" : null,
            Summarize(assignment));
    }

    /// <summary>Replica lists and leaderships per member, in one pass over the partitions.</summary>
    public static AssignmentSummary Summarize(Assignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var replicas = new Dictionary<string, int>(StringComparer.Ordinal);
        var leads = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var p = 0; p < assignment.Partitions; p++)
        {
            foreach (var member in assignment.ReplicasOf(p))
            {
                replicas[member] = replicas.GetValueOrDefault(member) + 1;
            }

            if (assignment.LeaderOf(p) is { } leader)
            {
                leads[leader] = leads.GetValueOrDefault(leader) + 1;
            }
        }

        return new AssignmentSummary(assignment.Epoch, replicas, leads);
    }

    /// <summary>
    /// How many partition replicas <paramref name="members"/> still hold, counting only an
    /// assignment computed from <paramref name="sinceMembershipEpoch"/> or later; null when no
    /// such assignment is readable (one computed before the members were marked draining says
    /// nothing about the drain).
    /// </summary>
    public int? ReplicasHeldBy(IEnumerable<string> members, long sinceMembershipEpoch)
    {
        if (Summary is not { } summary || MembershipEpoch is not { } epoch || epoch < sinceMembershipEpoch)
        {
            return null;
        }

        return members.Sum(m => summary.Replicas.GetValueOrDefault(m));
    }
}
