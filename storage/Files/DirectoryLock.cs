namespace DataCluster.Storage.Files;

/// <summary>
/// An exclusive lock on a data directory: the file <c>.lock</c> in it, held open with
/// <see cref="FileShare.None"/> (on Linux an flock(2) LOCK_EX, released by the kernel when the
/// process dies, so a crash never leaves a stale lock). Thread-safe.
/// </summary>
internal sealed class DirectoryLock : IDisposable
{
    public const string FileName = ".lock";

    private readonly FileStream _file;

    private DirectoryLock(FileStream file) => _file = file;

    public static DirectoryLock Acquire(string directory)
    {
        var path = Path.Combine(directory, FileName);
        try
        {
            return new DirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException exception)
        {
            throw new IOException($"data directory {directory} is in use: another process (or another store in this one) holds {path}. Stop the other agent, or give each agent its own data directory.", exception);
        }
    }

    public void Dispose() => _file.Dispose();
}
