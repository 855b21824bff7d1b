namespace DataCluster.Ring;

/// <summary>
/// What one member gained and lost between two snapshots. Every list is sorted ascending.
/// The agent turns these into assigned, revoked, leader-gained and leader-lost notifications.
/// </summary>
/// <param name="Gained">Partitions the member holds a replica of now but did not before.</param>
/// <param name="Lost">Partitions the member held a replica of before but does not now.</param>
/// <param name="StartedLeading">Partitions the member leads now but did not before.</param>
/// <param name="StoppedLeading">Partitions the member led before but does not now.</param>
public sealed record AssignmentDiff(
    IReadOnlyList<int> Gained,
    IReadOnlyList<int> Lost,
    IReadOnlyList<int> StartedLeading,
    IReadOnlyList<int> StoppedLeading)
{
    /// <summary>True when nothing changed for the member.</summary>
    public bool IsEmpty => Gained.Count == 0 && Lost.Count == 0 && StartedLeading.Count == 0 && StoppedLeading.Count == 0;
}

/// <content>Per-member differences between snapshots.</content>
public sealed partial class Assignment
{
    /// <summary>
    /// What <paramref name="memberId"/> gained, lost, started and stopped leading going from
    /// <paramref name="before"/> (null means nothing was held) to <paramref name="after"/>.
    /// </summary>
    public static AssignmentDiff Diff(Assignment? before, Assignment after, string memberId)
    {
        ArgumentNullException.ThrowIfNull(after);
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        if (before is not null && before.Partitions != after.Partitions)
        {
            throw new ArgumentException(
                $"cannot compare snapshots with {before.Partitions} and {after.Partitions} partitions; the partition count is fixed",
                nameof(after));
        }

        List<int> gained = [], lost = [], started = [], stopped = [];
        for (var p = 0; p < after.Partitions; p++)
        {
            var had = before is not null && before.ReplicasOf(p).Contains(memberId);
            var has = after.ReplicasOf(p).Contains(memberId);
            if (has && !had)
            {
                gained.Add(p);
            }
            else if (had && !has)
            {
                lost.Add(p);
            }

            var led = before is not null && string.Equals(before.LeaderOf(p), memberId, StringComparison.Ordinal);
            var leads = string.Equals(after.LeaderOf(p), memberId, StringComparison.Ordinal);
            if (leads && !led)
            {
                started.Add(p);
            }
            else if (led && !leads)
            {
                stopped.Add(p);
            }
        }

        return new AssignmentDiff(gained, lost, started, stopped);
    }
}
