using Microsoft.Extensions.Options;

namespace DataCluster.Storage;

/// <summary>Checks <see cref="LogStoreOptions"/>; every message says how to fix the setting. Thread-safe (no state).</summary>
public sealed class LogStoreOptionsValidator : IValidateOptions<LogStoreOptions>
{
    /// <summary>Smallest segment: a segment must hold a few records beside its header.</summary>
    public const long MinSegmentBytes = 4096;

    /// <summary>Largest segment: index positions are 32-bit, and one record of up to 2 GiB may follow the limit.</summary>
    public const long MaxSegmentBytes = 1024L * 1024 * 1024;

    /// <summary>Smallest <see cref="LogStoreOptions.WalCheckpointBytes"/>: below, checkpoints (a sync of every covered segment) would come every few flushes.</summary>
    public const long MinWalCheckpointBytes = 64 * 1024;

    /// <summary>Largest <see cref="LogStoreOptions.WalCheckpointBytes"/>: replay reads a file into memory.</summary>
    public const long MaxWalCheckpointBytes = 1024L * 1024 * 1024;

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, LogStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = Problems(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>The problems of <paramref name="options"/>, empty when valid.</summary>
    public static List<string> Problems(LogStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            problems.Add("DataDirectory is empty: set it to the directory of the agent's data volume, e.g. /var/lib/datacluster");
        }

        if (options.SegmentBytes is < MinSegmentBytes or > MaxSegmentBytes)
        {
            problems.Add($"SegmentBytes is {options.SegmentBytes}: set it between {MinSegmentBytes} and {MaxSegmentBytes} (1 GiB); the default is {LogStoreOptions.DefaultSegmentBytes} (64 MiB)");
        }

        if (options.IndexIntervalBytes < 1 || options.IndexIntervalBytes > options.SegmentBytes)
        {
            problems.Add($"IndexIntervalBytes is {options.IndexIntervalBytes}: set it between 1 and SegmentBytes; the default is {LogStoreOptions.DefaultIndexIntervalBytes}");
        }

        if (!Enum.IsDefined(options.FsyncPolicy))
        {
            problems.Add($"FsyncPolicy is {(int)options.FsyncPolicy}: use Always, Interval or Never");
        }

        if (options.FsyncPolicy == FsyncPolicy.Interval && options.FsyncInterval <= TimeSpan.Zero)
        {
            problems.Add($"FsyncInterval is {options.FsyncInterval} with FsyncPolicy Interval: give a positive interval such as 100 ms, or use FsyncPolicy Always");
        }

        if (options.RetentionBytes is <= 0)
        {
            problems.Add($"RetentionBytes is {options.RetentionBytes}: give a positive number of bytes per partition, or null for no size limit");
        }

        if (options.RetentionAge is { } age && age <= TimeSpan.Zero)
        {
            problems.Add($"RetentionAge is {age}: give a positive age such as 7 days, or null to keep records regardless of age");
        }

        if (options.TailCacheBytes < 0)
        {
            problems.Add($"TailCacheBytes is {options.TailCacheBytes}: give 0 (no cache) or more; the default is {LogStoreOptions.DefaultTailCacheBytes}");
        }

        if (options.FlushParallelism is < 1 or > 256)
        {
            problems.Add($"FlushParallelism is {options.FlushParallelism}: set it between 1 and 256; the default is {LogStoreOptions.DefaultFlushParallelism}");
        }

        if (options.WalCheckpointBytes is < MinWalCheckpointBytes or > MaxWalCheckpointBytes)
        {
            problems.Add($"WalCheckpointBytes is {options.WalCheckpointBytes}: set it between {MinWalCheckpointBytes} (64 KiB) and {MaxWalCheckpointBytes} (1 GiB); the default is {LogStoreOptions.DefaultWalCheckpointBytes} (32 MiB)");
        }

        return problems;
    }
}
