using System.Collections.Concurrent;
using System.Diagnostics;

namespace DataCluster.Storage.Files;

/// <summary>
/// Runs the fsyncs of a flush in parallel on dedicated threads (fsync blocks a thread; the thread
/// pool would add threads too slowly), with the caller's thread taking its share. One slow file
/// then holds up only its own fsync. Thread-safe; one batch at a time.
/// </summary>
internal sealed class SyncWorkers : IDisposable
{
    /// <summary>An fsync needs almost no stack; small stacks keep dozens of idle workers cheap.</summary>
    private const int StackBytes = 256 * 1024;

    private readonly StorageMetrics _metrics;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Thread[] _threads;
    private volatile Run? _current;
    private volatile bool _stopping;

    public SyncWorkers(int parallelism, StorageMetrics metrics)
    {
        _metrics = metrics;
        _threads = new Thread[parallelism - 1];
        for (var i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Work, StackBytes) { IsBackground = true, Name = $"storage-fsync-{i}" };
            _threads[i].Start();
        }
    }

    /// <summary>Runs every item of <paramref name="items"/>; each item's <see cref="SyncItem.Failure"/> says how it went.</summary>
    public Task RunAsync(List<SyncItem> items)
    {
        if (items.Count <= 1 || _threads.Length == 0)
        {
            foreach (var item in items)
            {
                Execute(item);
            }

            return Task.CompletedTask;
        }

        var run = new Run(items);
        _current = run;
        _wake.Release(Math.Min(_threads.Length, items.Count - 1));
        run.Help(this);
        return run.Completion;
    }

    /// <summary>Runs the items on the caller's thread only (closing, when no parallelism is worth a thread hop).</summary>
    public void RunInline(List<SyncItem> items)
    {
        foreach (var item in items)
        {
            Execute(item);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        if (_threads.Length > 0)
        {
            _wake.Release(_threads.Length);
        }

        foreach (var thread in _threads)
        {
            thread.Join();
        }

        _wake.Dispose();
    }

    private void Work()
    {
        while (true)
        {
            _wake.Wait();
            if (_stopping)
            {
                return;
            }

            _current?.Help(this);
        }
    }

    private void Execute(SyncItem item)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            if (item.Kind == SyncKind.Directory)
            {
                DurableFile.SyncDirectory(item.DirectoryPath!);
            }
            else if (item.Kind == SyncKind.WriteAheadLog)
            {
                // Its blocks were written and synced when the file was extended (WriteAheadLog).
                DurableFile.SyncData(item.Handle!);
            }
            else
            {
                DurableFile.Sync(item.Handle!);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            item.Failure = exception;
        }

        _metrics.Fsync(start);
    }

    /// <summary>One batch: items are claimed by index, the last to finish completes the task.</summary>
    private sealed class Run(List<SyncItem> items)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _next = -1;
        private int _remaining = items.Count;

        public Task Completion => _done.Task;

        public void Help(SyncWorkers workers)
        {
            int index;
            while ((index = Interlocked.Increment(ref _next)) < items.Count)
            {
                workers.Execute(items[index]);
                if (Interlocked.Decrement(ref _remaining) == 0)
                {
                    _done.SetResult();
                }
            }
        }
    }
}
