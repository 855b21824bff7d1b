namespace DataCluster.Ring;

/// <summary>
/// Holds the current assignment snapshot and only ever moves it forward.
/// </summary>
/// <remarks>
/// Thread-safe and lock-free: readers see either the old or the new snapshot, never a mix, and
/// concurrent <see cref="TryReplace"/> calls cannot move the epoch backwards.
/// </remarks>
public sealed class AssignmentHolder
{
    private Assignment? _current;

    /// <summary>Starts with <paramref name="initial"/>, or with no snapshot.</summary>
    public AssignmentHolder(Assignment? initial = null) => _current = initial;

    /// <summary>The current snapshot, or null before the first one.</summary>
    public Assignment? Current => Volatile.Read(ref _current);

    /// <summary>
    /// Installs <paramref name="next"/> if its epoch is higher than the current one's. Returns
    /// false, leaving the current snapshot in place, when it is not. Throws
    /// <see cref="ArgumentException"/> when the partition counts differ, which no valid history
    /// produces.
    /// </summary>
    public bool TryReplace(Assignment next)
    {
        ArgumentNullException.ThrowIfNull(next);
        while (true)
        {
            var seen = Volatile.Read(ref _current);
            if (seen is not null && seen.Partitions != next.Partitions)
            {
                throw new ArgumentException(
                    $"snapshot has {next.Partitions} partitions but the current one has {seen.Partitions}; the partition count is fixed",
                    nameof(next));
            }

            if (!next.Supersedes(seen))
            {
                return false;
            }

            if (ReferenceEquals(Interlocked.CompareExchange(ref _current, next, seen), seen))
            {
                return true;
            }
        }
    }
}
