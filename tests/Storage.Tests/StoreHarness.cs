using System.Diagnostics.Metrics;
using DataCluster.Storage;

namespace DataCluster.Storage.Tests;

/// <summary>A store in a temporary directory that tests crash, tamper with and reopen.</summary>
public sealed class StoreHarness : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly TimeProvider? _time;
    private readonly IMeterFactory? _meters;

    public StoreHarness(Func<LogStoreOptions, LogStoreOptions>? configure = null, TimeProvider? time = null, IMeterFactory? meters = null)
    {
        _time = time;
        _meters = meters;
        var options = new LogStoreOptions { DataDirectory = _directory.Path };
        Options = configure is null ? options : configure(options);
        Store = LogStore.Open(Options, _time, _meters);
    }

    public LogStoreOptions Options { get; }

    public LogStore Store { get; private set; }

    public string Root => _directory.Path;

    public string PartitionDirectory(int partition) => Path.Combine(Root, "partitions", partition.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Segment files of a partition, oldest first.</summary>
    public string[] Segments(int partition) => [.. Directory.GetFiles(PartitionDirectory(partition), "*.log").Order(StringComparer.Ordinal)];

    public PartitionLog Log(int partition = 0) => Store.OpenPartition(partition);

    /// <summary>Drops everything not written to the OS and closes the files, as a killed process would; the store is closed until <see cref="Reopen"/>.</summary>
    public void Crash() => Store.Crash();

    public PartitionLog Reopen(int partition = 0)
    {
        Store = LogStore.Open(Options, _time, _meters);
        return Store.OpenPartition(partition);
    }

    public PartitionLog CrashAndReopen(int partition = 0)
    {
        Crash();
        return Reopen(partition);
    }

    public void Dispose()
    {
        Store.Dispose();
        _directory.Dispose();
    }
}

/// <summary>An <see cref="IMeterFactory"/> whose meters carry it as their scope, so a listener can tell them from other tests' meters.</summary>
public sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            _meters.ForEach(m => m.Dispose());
        }
    }
}
