namespace DataCluster.Storage;

/// <summary>
/// A partition log's files hold something a crash cannot explain (a bad record before data known
/// durable, a sealed segment shorter than its seal, a gap between segments). The log refuses to
/// guess: it neither skips nor drops records after the damage.
/// </summary>
public sealed class LogCorruptedException : IOException
{
    /// <summary>Creates the exception for damage at <paramref name="position"/> of <paramref name="filePath"/>.</summary>
    public LogCorruptedException(string filePath, long position, string problem)
        : base($"{filePath}, byte {position}: {problem}. The partition's log is damaged there and later records are kept untouched; " +
            "to rebuild the partition from its replicas, stop the agent, move the partition's directory aside and start it again.")
    {
        FilePath = filePath;
        Position = position;
    }

    /// <summary>The damaged file.</summary>
    public string FilePath { get; }

    /// <summary>Byte position of the damage in <see cref="FilePath"/>.</summary>
    public long Position { get; }
}
