using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace DataCluster.Storage.Files;

/// <summary>
/// fsync for files and directories, and the small file operations built on them. Thread-safe
/// (each call works on its own handle).
/// </summary>
internal static partial class DurableFile
{
    /// <summary>open(2) flags O_RDONLY | O_CLOEXEC, the same value on Linux x64 and arm64 (only Linux calls it).</summary>
    private const int OpenReadOnlyCloseOnExec = 0x80000;

    /// <summary>fsync of a file: its data and the metadata needed to read it back (size).</summary>
    public static void Sync(SafeFileHandle handle) => RandomAccess.FlushToDisk(handle);

    /// <summary>
    /// fdatasync(2) on Linux: the data, and metadata only where reading the data back needs it
    /// (a changed size or new blocks), not timestamps. For writes into blocks already written and
    /// synced it spares the file system a journal commit. Elsewhere a full <see cref="Sync"/>.
    /// </summary>
    public static void SyncData(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            Sync(handle);
            return;
        }

        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            if (Fdatasync((int)handle.DangerousGetHandle()) != 0)
            {
                throw new IOException("fdatasync failed", new Win32Exception(Marshal.GetLastPInvokeError()));
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// fsync of a directory, so that files created, renamed or deleted in it stay so after a power
    /// loss. Linux needs it (ext4 and XFS document it); elsewhere .NET cannot open a directory and
    /// this does nothing.
    /// </summary>
    public static void SyncDirectory(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Open(path, OpenReadOnlyCloseOnExec);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {path} to fsync it", new Win32Exception(Marshal.GetLastPInvokeError()));
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {path} failed", new Win32Exception(Marshal.GetLastPInvokeError()));
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Creates <paramref name="path"/> and its missing parents, making each new entry durable in its parent.</summary>
    public static void CreateDirectory(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            return;
        }

        var parent = Path.GetDirectoryName(full);
        if (parent is not null)
        {
            CreateDirectory(parent);
        }

        Directory.CreateDirectory(full);
        if (parent is not null)
        {
            SyncDirectory(parent);
        }
    }

    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="content"/> atomically: a temporary
    /// file beside it is written and fsynced, renamed over it, and the directory fsynced. After a
    /// crash the file holds either the old or the new content, whole.
    /// </summary>
    public static void ReplaceAtomically(string path, ReadOnlySpan<byte> content)
    {
        var temporary = path + ".tmp";
        using (var handle = File.OpenHandle(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            RandomAccess.Write(handle, content, 0);
            Sync(handle);
        }

        File.Move(temporary, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int Fdatasync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
