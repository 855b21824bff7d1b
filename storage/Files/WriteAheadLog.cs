using DataCluster.Storage.Format;
using Microsoft.Win32.SafeHandles;

namespace DataCluster.Storage.Files;

/// <summary>
/// The member's write-ahead log: one file that the records of every partition are appended to
/// and that a group flush syncs once, instead of one fsync per partition file. Entries collect in
/// memory while a flush is prepared, then <see cref="WritePending"/> hands them to the OS and the
/// flush syncs <see cref="Handle"/>. Not thread-safe: owned by its <see cref="LogStore"/>.
/// </summary>
/// <remarks>
/// Files are <c>wal/&lt;sequence&gt;.wal</c>. A checkpoint (<see cref="Rotate"/>) starts the next
/// file once the partition segments hold everything the older files do; the older files are then
/// deleted. The format and replay are in storage/README.md, "Write-ahead log".
/// </remarks>
internal sealed class WriteAheadLog : IDisposable
{
    /// <summary>
    /// The first extension of a new file. Small, so that a store opened briefly (tests, a member
    /// with little traffic) writes little; each later one doubles up to <see cref="MaxExtensionBytes"/>.
    /// </summary>
    private const int FirstExtensionBytes = 64 * 1024;

    /// <summary>
    /// Largest extension: 4 MiB of zeros is a few milliseconds of sequential writing, once per
    /// second or two at a busy member's rate, and keeps the flushes in between on fdatasync.
    /// </summary>
    private const int MaxExtensionBytes = 4 * 1024 * 1024;

    private static readonly byte[] Zeros = new byte[64 * 1024];

    private readonly PooledBuffer _pending = new();
    private readonly List<string> _retired = [];
    private SafeFileHandle _handle;
    private long _written;
    private long _allocated;

    private WriteAheadLog(string directory, long sequence, SafeFileHandle handle)
    {
        Directory = directory;
        Sequence = sequence;
        _handle = handle;
        _written = _allocated = WalFormat.HeaderBytes;
    }

    public string Directory { get; }

    /// <summary>Sequence number of the current file.</summary>
    public long Sequence { get; private set; }

    /// <summary>Path of the current file.</summary>
    public string FilePath => Path.Combine(Directory, WalFormat.FileName(Sequence));

    /// <summary>Bytes of the current file, including entries not yet written.</summary>
    public long Length => _written + _pending.Count;

    /// <summary>Entries are waiting for <see cref="WritePending"/>.</summary>
    public bool HasPending => _pending.Count > 0;

    /// <summary>The current file, for the flush's fsync.</summary>
    public SafeFileHandle Handle => _handle;

    /// <summary>The files in <paramref name="directory"/>, oldest first (none when it does not exist).</summary>
    public static IReadOnlyList<string> FilesIn(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            return [];
        }

        var files = new List<(long Sequence, string Path)>();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory))
        {
            var sequence = WalFormat.SequenceOf(Path.GetFileName(path));
            if (sequence >= 0)
            {
                files.Add((sequence, path));
            }
        }

        files.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        return [.. files.Select(f => f.Path)];
    }

    /// <summary>
    /// Starts a new file numbered after <paramref name="existing"/> (which stay until
    /// <see cref="DeleteRetired"/>): created, header written, file and directory synced.
    /// </summary>
    public static WriteAheadLog Create(string directory, IReadOnlyList<string> existing)
    {
        DurableFile.CreateDirectory(directory);
        var sequence = existing.Count == 0 ? 0 : WalFormat.SequenceOf(Path.GetFileName(existing[^1])) + 1;
        var wal = new WriteAheadLog(directory, sequence, CreateFile(directory, sequence));
        wal._retired.AddRange(existing);
        return wal;
    }

    /// <summary>
    /// Reads the entries of one file up to its first invalid one. A torn tail (bytes no completed
    /// fsync covered) ends the read; <paramref name="tail"/> says where and why, or is null when
    /// the file ended cleanly.
    /// </summary>
    /// <exception cref="LogCorruptedException">The header of a file that is not the newest is not valid, or a valid entry has a kind this build does not know.</exception>
    public static List<WalEntry> Read(string path, bool newest, out (long Position, FrameStatus Reason)? tail)
    {
        var bytes = File.ReadAllBytes(path);
        tail = null;
        var entries = new List<WalEntry>();
        if (WalFormat.TryReadHeader(bytes, out _) is { } problem)
        {
            if (newest)
            {
                // The newest file's creation (header, fsync, directory fsync) did not complete
                // before the crash, so no flush ever counted on it.
                tail = (0, FrameStatus.Incomplete);
                return entries;
            }

            throw new LogCorruptedException(path, 0, problem);
        }

        var position = WalFormat.HeaderBytes;
        while (position < bytes.Length)
        {
            var status = WalFormat.TryReadEntry(bytes.AsSpan(position), out var length, out var partition, out var kind);
            if (status == FrameStatus.Zero && bytes.AsSpan(position).IndexOfAnyExcept((byte)0) < 0)
            {
                // The zeros the file was extended with: the entries end here.
                break;
            }

            if (status != FrameStatus.Valid)
            {
                tail = (position, status);
                break;
            }

            if (kind is not (WalEntryKind.Records or WalEntryKind.Barrier) || partition < 0)
            {
                throw new LogCorruptedException(path, position, $"entry kind {(byte)kind} for partition {partition} is not one this build knows, although its CRC matches");
            }

            entries.Add(new WalEntry(partition, kind, bytes.AsMemory(position + WalFormat.EntryHeaderBytes, length - WalFormat.EntryHeaderBytes), position));
            position += length;
        }

        return entries;
    }

    /// <summary>Adds an entry holding <paramref name="records"/> (encoded segment records) of <paramref name="partition"/>.</summary>
    public void AppendRecords(int partition, ReadOnlySpan<byte> records)
    {
        var entry = _pending.GetSpan(WalFormat.EntryHeaderBytes + records.Length);
        records.CopyTo(entry[WalFormat.EntryHeaderBytes..]);
        WalFormat.SealEntry(entry, partition, WalEntryKind.Records);
        _pending.Advance(entry.Length);
    }

    /// <summary>Adds a barrier: every earlier entry of <paramref name="partition"/> is covered by its synced segments.</summary>
    public void AppendBarrier(int partition)
    {
        var entry = _pending.GetSpan(WalFormat.EntryHeaderBytes);
        WalFormat.SealEntry(entry, partition, WalEntryKind.Barrier);
        _pending.Advance(entry.Length);
    }

    /// <summary>Hands the pending entries to the OS (no fsync).</summary>
    public void WritePending()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        if (_written + _pending.Count > _allocated)
        {
            Extend(_written + _pending.Count);
        }

        RandomAccess.Write(_handle, _pending.Written, _written);
        _written += _pending.Count;
        _pending.Clear();
    }

    /// <summary>
    /// Starts the next file (synced with its directory entry) and retires the current one, once
    /// the segments hold everything it has. Pending entries must have been written.
    /// </summary>
    public void Rotate()
    {
        System.Diagnostics.Debug.Assert(_pending.Count == 0, "entries are written before a rotation");
        var next = CreateFile(Directory, Sequence + 1);
        _retired.Add(FilePath);
        _handle.Dispose();
        _handle = next;
        Sequence++;
        _written = _allocated = WalFormat.HeaderBytes;
    }

    /// <summary>Deletes the retired files and syncs the directory.</summary>
    public void DeleteRetired()
    {
        if (_retired.Count == 0)
        {
            return;
        }

        foreach (var path in _retired)
        {
            File.Delete(path);
        }

        _retired.Clear();
        DurableFile.SyncDirectory(Directory);
    }

    /// <summary>Closes the file; with <paramref name="delete"/> (every segment synced) it and the retired files are deleted.</summary>
    public void Close(bool delete)
    {
        _pending.Clear();
        _handle.Dispose();
        if (delete)
        {
            _retired.Add(FilePath);
            DeleteRetired();
        }
    }

    /// <summary>Closes the file, dropping entries not yet written, as a crash would.</summary>
    public void Dispose() => Close(delete: false);

    /// <summary>
    /// Writes zeros past the end up to at least <paramref name="end"/> and fsyncs the file (size
    /// and blocks): entries then land in blocks that exist and were synced, so the flushes that
    /// follow need only fdatasync. Zeros read back as the end of the entries.
    /// </summary>
    private void Extend(long end)
    {
        var extension = Math.Clamp(_allocated - WalFormat.HeaderBytes, FirstExtensionBytes, MaxExtensionBytes);
        var target = Math.Max(end, _allocated + extension);
        for (var at = _allocated; at < target; at += Zeros.Length)
        {
            RandomAccess.Write(_handle, Zeros.AsSpan(0, (int)Math.Min(Zeros.Length, target - at)), at);
        }

        DurableFile.Sync(_handle);
        _allocated = target;
    }

    private static SafeFileHandle CreateFile(string directory, long sequence)
    {
        var handle = File.OpenHandle(Path.Combine(directory, WalFormat.FileName(sequence)), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            Span<byte> header = stackalloc byte[WalFormat.HeaderBytes];
            WalFormat.WriteHeader(header, sequence);
            RandomAccess.Write(handle, header, 0);
            DurableFile.Sync(handle);
            DurableFile.SyncDirectory(directory);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
