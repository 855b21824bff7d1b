using System.Text;
using DataCluster.Storage;

namespace DataCluster.Storage.Tests;

/// <summary>Records and log helpers shared by the storage tests.</summary>
public static class Records
{
    /// <summary>A data record whose key and body name its offset and term, so a resurrected or misplaced record is visible in a failure.</summary>
    public static LogRecord Make(long offset, long term, int bodyBytes = 32, long timestamp = 1_700_000_000_000, string? producer = null)
    {
        var body = new byte[bodyBytes];
        var stamp = Encoding.UTF8.GetBytes($"o{offset}t{term}");
        for (var i = 0; i < body.Length; i++)
        {
            body[i] = stamp[i % stamp.Length];
        }

        return new LogRecord(
            offset,
            term,
            RecordKind.Data,
            timestamp,
            Encoding.UTF8.GetBytes($"key-{offset % 7}"),
            offset % 3 == 0 ? null : "application/json",
            body,
            producer ?? (offset % 2 == 0 ? null : "producer-1"),
            offset % 2 == 0 ? -1 : offset);
    }

    /// <summary>Appends records from the log's next offset up to (not including) <paramref name="end"/> in <paramref name="term"/>.</summary>
    public static void AppendUpTo(IPartitionLog log, long end, long term, int bodyBytes = 32, long timestamp = 1_700_000_000_000)
    {
        for (var offset = log.NextOffset; offset < end; offset++)
        {
            log.Append(Make(offset, term, bodyBytes, timestamp));
        }
    }

    /// <summary>Every record of the log, read in small batches to cross segment and cache boundaries.</summary>
    public static List<LogRecord> ReadAll(IPartitionLog log, int batch = 7)
    {
        var all = new List<LogRecord>();
        var offset = log.StartOffset;
        while (offset < log.NextOffset)
        {
            var added = log.Read(offset, batch, long.MaxValue, all);
            Assert.True(added > 0, $"no record read at offset {offset} of {log.StartOffset}..{log.NextOffset}");
            offset += added;
        }

        return all;
    }

    /// <summary>Asserts both sequences hold records of the same content, in order.</summary>
    public static void Equal(IReadOnlyList<LogRecord> expected, IReadOnlyList<LogRecord> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].SameContent(actual[i]), $"record {i}: expected offset {expected[i].Offset} term {expected[i].Term}, got offset {actual[i].Offset} term {actual[i].Term}");
        }
    }
}

/// <summary>A fresh temporary directory, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory() => System.IO.Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "datacluster-storage-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
