namespace DataCluster.Storage;

/// <summary>
/// The log of one partition on one member: records at dense offsets, each with its term.
/// </summary>
/// <remarks>
/// <para>Not thread-safe: one caller at a time (the agent's replication loop, or a simulator).
/// <see cref="FlushAsync"/> may run while no other member is called.</para>
/// <para>Durability: <see cref="Append"/> and <see cref="Truncate"/> change the log at once for
/// readers of this object, but only what is below <see cref="DurableOffset"/> survives a crash.
/// <see cref="FlushAsync"/> makes everything appended so far, and every truncation, durable.
/// After a crash the log reopens with at least every record that was below
/// <see cref="DurableOffset"/> and never with a record that was truncated before a flush
/// completed.</para>
/// </remarks>
public interface IPartitionLog : IDisposable
{
    /// <summary>The partition this log belongs to.</summary>
    int Partition { get; }

    /// <summary>The first offset still held (0 until retention or <see cref="Reset"/> moves it).</summary>
    long StartOffset { get; }

    /// <summary>The offset the next appended record takes (one past the last record).</summary>
    long NextOffset { get; }

    /// <summary>Every record below this offset is durable.</summary>
    long DurableOffset { get; }

    /// <summary>Term of the last record, or of the record before <see cref="StartOffset"/> when the log holds none; 0 for a new log.</summary>
    long LastTerm { get; }

    /// <summary>Where each term begins, in increasing order (only terms with a record in the log, plus the term before <see cref="StartOffset"/>).</summary>
    IReadOnlyList<TermStart> Terms { get; }

    /// <summary>Term of the record at <paramref name="offset"/>; for <c>StartOffset - 1</c> the term before the log; -1 when outside the log.</summary>
    long TermAt(long offset);

    /// <summary>Appends one record. Its offset must equal <see cref="NextOffset"/> and its term be at least <see cref="LastTerm"/>.</summary>
    /// <exception cref="ArgumentException">The offset or term breaks the rule above.</exception>
    void Append(LogRecord record);

    /// <summary>Removes every record at or above <paramref name="nextOffset"/> (a divergent suffix). No-op when nothing is there.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nextOffset"/> is below <see cref="StartOffset"/>.</exception>
    void Truncate(long nextOffset);

    /// <summary>
    /// Drops every record and starts the log empty at <paramref name="startOffset"/>, remembering
    /// <paramref name="termBefore"/> as the term of the record before it (a follower too far behind
    /// the leader's retained log starts over from there).
    /// </summary>
    void Reset(long startOffset, long termBefore);

    /// <summary>Makes every append and truncation so far durable (fsync). Completes when they are.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds to <paramref name="into"/> the records from <paramref name="fromOffset"/> on, in offset
    /// order, stopping after <paramref name="maxRecords"/> records or once <paramref name="maxBytes"/>
    /// bytes of key and body have been added (always at least one record when one exists).
    /// Returns how many were added. Offsets below <see cref="StartOffset"/> read from there.
    /// </summary>
    int Read(long fromOffset, int maxRecords, long maxBytes, ICollection<LogRecord> into);
}
