using BenchmarkDotNet.Attributes;

namespace DataCluster.Storage.Bench;

/// <summary>
/// The CPU side of appending: encoding a 256-byte record with its CRC32C into the pending buffer,
/// then writing a batch to the page cache without fsync (FsyncPolicy.Never), so the disk's
/// latency does not drown what the code costs.
/// </summary>
[MemoryDiagnoser]
public class AppendBenchmarks
{
    private readonly byte[] _body = new byte[256];
    private readonly byte[] _key = "entity-42"u8.ToArray();
    private string _directory = "";
    private LogStore _store = null!;
    private PartitionLog _log = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "datacluster-storage-bench-" + Guid.NewGuid().ToString("N"));
        _store = LogStore.Open(new LogStoreOptions { DataDirectory = _directory, FsyncPolicy = FsyncPolicy.Never });
        _log = _store.OpenPartition(0);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>256 appends and one unsynced flush: the cost per batch of the replication loop's storage calls.</summary>
    [Benchmark(OperationsPerInvoke = 256)]
    public async Task AppendBatchOf256()
    {
        for (var i = 0; i < 256; i++)
        {
            _log.Append(new LogRecord(_log.NextOffset, 1, RecordKind.Data, 1_700_000_000_000, _key, "application/json", _body));
        }

        await _log.FlushAsync().ConfigureAwait(false);
    }
}
