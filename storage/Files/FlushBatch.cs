using Microsoft.Win32.SafeHandles;

namespace DataCluster.Storage.Files;

/// <summary>What one fsync of a flush covers.</summary>
internal enum SyncKind
{
    /// <summary>A segment's data, up to a length.</summary>
    Data,

    /// <summary>A segment's index file, just given its seal trailer.</summary>
    Seal,

    /// <summary>A partition directory, after a segment file was created or deleted in it.</summary>
    Directory,

    /// <summary>The store's write-ahead log, holding the records of several logs of the batch.</summary>
    WriteAheadLog,
}

/// <summary>One fsync to issue; <see cref="Failure"/> is set by the worker that ran it.</summary>
internal sealed class SyncItem(SyncKind kind, SafeFileHandle? handle, string? directory, Segment? segment, long length)
{
    public SyncKind Kind { get; } = kind;

    public SafeFileHandle? Handle { get; } = handle;

    public string? DirectoryPath { get; } = directory;

    public Segment? Segment { get; } = segment;

    public long Length { get; } = length;

    public Exception? Failure { get; set; }
}

/// <summary>
/// One log's part of a flush: the offset it makes durable and its items; whether its records
/// went to the write-ahead log (whose fsync it then also depends on), and whether every written
/// byte of its segments is synced by its own items.
/// </summary>
internal readonly record struct FlushedLog(PartitionLog Log, long NextOffset, int FirstItem, int ItemCount, bool UsedWal = false, bool SyncedAll = false);

/// <summary>The fsyncs of one group flush, across logs. Filled and completed on the caller's thread; items are run by <see cref="SyncWorkers"/>.</summary>
internal sealed class FlushBatch
{
    public List<SyncItem> Items { get; } = [];

    public List<FlushedLog> Logs { get; } = [];
}
