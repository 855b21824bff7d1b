namespace DataCluster.Kube.Controllers;

/// <summary>
/// A de-duplicating work queue with delayed and rate-limited adds, with the semantics
/// controllers rely on:
/// <list type="bullet">
/// <item>an item is queued at most once however often it is added before being taken;</item>
/// <item>an item is never handed to two workers at once: added while being processed, it is
/// queued again only when the worker calls <see cref="Done"/>;</item>
/// <item>items are handed out in the order they were first queued.</item>
/// </list>
/// Thread-safe. <see cref="TakeAsync"/> blocks (asynchronously) until an item is ready or the
/// queue is shut down.
/// </summary>
public sealed class WorkQueue<T> : IDisposable where T : notnull
{
    private readonly Lock _gate = new();
    private readonly LinkedList<T> _queue = new();
    private readonly HashSet<T> _dirty = [];
    private readonly HashSet<T> _processing = [];
    private readonly Dictionary<T, (ITimer Timer, DateTimeOffset Due)> _delayed = [];
    private readonly SemaphoreSlim _available = new(0);
    private readonly TimeProvider _time;
    private readonly ItemBackoff<T> _backoff;
    private bool _shuttingDown;

    public WorkQueue(TimeProvider? time = null, ItemBackoff<T>? backoff = null)
    {
        _time = time ?? TimeProvider.System;
        _backoff = backoff ?? new ItemBackoff<T>();
    }

    /// <summary>Items waiting to be taken (not counting delayed or in-process ones).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    public bool IsShutDown
    {
        get
        {
            lock (_gate)
            {
                return _shuttingDown;
            }
        }
    }

    /// <summary>Queues <paramref name="item"/> unless it is already queued.</summary>
    public void Add(T item)
    {
        lock (_gate)
        {
            if (_shuttingDown || !_dirty.Add(item))
            {
                return;
            }

            if (_processing.Contains(item))
            {
                return; // re-queued by Done
            }

            _queue.AddLast(item);
        }

        _available.Release();
    }

    /// <summary>
    /// Queues <paramref name="item"/> after <paramref name="delay"/>. A later call with an earlier
    /// due time wins; a later one with a later due time does not postpone it.
    /// </summary>
    public void AddAfter(T item, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(item);
            return;
        }

        lock (_gate)
        {
            if (_shuttingDown)
            {
                return;
            }

            var due = _time.GetUtcNow() + delay;
            if (_delayed.TryGetValue(item, out var existing))
            {
                if (existing.Due <= due)
                {
                    return; // the pending add comes sooner; it covers this one
                }

                existing.Timer.Dispose();
            }

            _delayed[item] = (_time.CreateTimer(_ => FireDelayed(item), null, delay, Timeout.InfiniteTimeSpan), due);
        }
    }

    /// <summary>Queues <paramref name="item"/> after its next backoff delay (it failed).</summary>
    public TimeSpan AddRateLimited(T item)
    {
        var delay = _backoff.Next(item);
        AddAfter(item, delay);
        return delay;
    }

    /// <summary>Clears the backoff of <paramref name="item"/> (it succeeded).</summary>
    public void Forget(T item) => _backoff.Forget(item);

    /// <summary>Failures in a row recorded for <paramref name="item"/>.</summary>
    public int Failures(T item) => _backoff.Failures(item);

    /// <summary>
    /// Waits for the next item and marks it as being processed. Returns false when the queue is
    /// shut down. The caller must call <see cref="Done"/> when finished with the item.
    /// </summary>
    public async ValueTask<(bool Ok, T Item)> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (_queue.First is { } first)
                {
                    _queue.RemoveFirst();
                    _dirty.Remove(first.Value);
                    _processing.Add(first.Value);
                    return (true, first.Value);
                }

                if (_shuttingDown)
                {
                    _available.Release(); // wake the next waiter so it sees the shutdown too
                    return (false, default!);
                }
            }
        }
    }

    /// <summary>Marks <paramref name="item"/> as processed; queues it again if it was added meanwhile.</summary>
    public void Done(T item)
    {
        var requeue = false;
        lock (_gate)
        {
            _processing.Remove(item);
            if (_dirty.Contains(item) && !_shuttingDown)
            {
                _queue.AddLast(item);
                requeue = true;
            }
        }

        if (requeue)
        {
            _available.Release();
        }
    }

    /// <summary>Stops handing out items; waiting takers return false.</summary>
    public void ShutDown()
    {
        lock (_gate)
        {
            _shuttingDown = true;
            foreach (var (timer, _) in _delayed.Values)
            {
                timer.Dispose();
            }

            _delayed.Clear();
        }

        _available.Release();
    }

    public void Dispose()
    {
        ShutDown();
        _available.Dispose();
    }

    private void FireDelayed(T item)
    {
        lock (_gate)
        {
            if (_delayed.Remove(item, out var pending))
            {
                pending.Timer.Dispose();
            }
        }

        Add(item);
    }
}
