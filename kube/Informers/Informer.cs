using DataCluster.Kube.Client;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Logging;
using DataCluster.Kube.Models;
using DataCluster.Kube.Selectors;
using DataCluster.Kube.Watch;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataCluster.Kube.Informers;

/// <summary>
/// Keeps a local, always-converging copy of one kind: lists (paginated), then watches from the
/// list's resourceVersion, applying every event to a thread-safe cache and telling the
/// handlers. When the watch cannot continue (410 Gone after a compaction or an API server
/// restart, or reconnects keep failing) it lists again and reports the differences against the
/// cache as adds, updates and deletes, so handlers converge on the server's state whatever was
/// missed.
/// </summary>
/// <remarks>
/// Add handlers before <see cref="RunAsync"/>; see <see cref="IInformerHandler{T}"/> for when
/// they are called. Cache reads (<see cref="Get"/>, <see cref="List"/>) are safe from any thread
/// at any time; before <see cref="HasSynced"/> they may miss objects.
/// </remarks>
public sealed class Informer<T> : IKubeCacheReader<T>
    where T : class, IKubernetesObject
{
    private readonly IKubeClient _client;
    private readonly ResourceType<T> _type;
    private readonly InformerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _resource;
    private readonly string _namespaceForLogs;
    private IInformerHandler<T>[] _handlers = [];
    private Dictionary<string, T> _items = new(StringComparer.Ordinal);
    private string? _lastResourceVersion;
    private int _started;
    private long _lists;

    public Informer(IKubeClient client, ResourceType<T> type, InformerOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _type = type ?? throw new ArgumentNullException(nameof(type));
        _options = options ?? new InformerOptions();
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _resource = type.ToString();
        _namespaceForLogs = _options.Namespace ?? "(all)";
    }

    /// <summary>The kind this informer caches.</summary>
    public ResourceType<T> Type => _type;

    /// <summary>True once the first list has been applied and its adds delivered to the handlers.</summary>
    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>The resourceVersion the cache reflects (of the last list, event or bookmark).</summary>
    public string? LastResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _lastResourceVersion;
            }
        }
    }

    /// <summary>How many lists ran: 1 after the first sync, one more per relist.</summary>
    public long ListCount => Interlocked.Read(ref _lists);

    /// <summary>Waits until <see cref="HasSynced"/>.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken = default) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>Adds a handler. Only before <see cref="RunAsync"/>, so every handler sees every change from the start.</summary>
    public void AddHandler(IInformerHandler<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (Volatile.Read(ref _started) != 0)
        {
            throw new InvalidOperationException($"Add handlers to the {_type.Kind} informer before running it.");
        }

        _handlers = [.. _handlers, handler];
    }

    /// <summary>Adds a handler made of delegates; see <see cref="AddHandler(IInformerHandler{T})"/>.</summary>
    public void AddHandler(Action<T>? onAdd = null, Action<T, T>? onUpdate = null, Action<T>? onDelete = null) =>
        AddHandler(new InformerHandler<T>(onAdd, onUpdate, onDelete));

    /// <inheritdoc />
    public T? Get(string? @namespace, string name)
    {
        lock (_gate)
        {
            return _items.GetValueOrDefault(Key(@namespace, name));
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<T> List(string? @namespace = null, string? labelSelector = null)
    {
        var selector = LabelSelectorExpression.Parse(labelSelector);
        lock (_gate)
        {
            return _items.Values
                .Where(o => (@namespace is null || o.Metadata.Namespace == @namespace) && selector.Matches(o.Metadata.Labels))
                .ToList();
        }
    }

    /// <summary>
    /// Lists and watches until <paramref name="cancellationToken"/> is cancelled, then returns.
    /// Never gives up on its own: failures are logged and retried with backoff. Call once.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException($"The {_type.Kind} informer is already running.");
        }

        var backoff = new Backoff(_options.BackoffInitial, _options.BackoffMax);
        var watcher = new ResourceWatcher<T>(_client, _type, _options.Namespace, new ResourceWatcherOptions
        {
            LabelSelector = _options.LabelSelector,
            FieldSelector = _options.FieldSelector,
            BackoffInitial = _options.BackoffInitial,
            BackoffMax = _options.BackoffMax,
            MaxConsecutiveFailures = _options.MaxWatchFailuresBeforeRelist,
            MinWatchTimeout = _options.MinWatchTimeout,
            OnReconnect = _options.OnRestart is { } onRestart ? () => onRestart(InformerRestart.Reconnect) : null,
        }, _logger, _time);

        try
        {
            while (true)
            {
                string? resourceVersion;
                try
                {
                    resourceVersion = await ListAndReplaceAsync(cancellationToken).ConfigureAwait(false);
                    backoff.Reset();
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    var delay = backoff.Next();
                    _logger.InformerListFailed(e, _resource, _namespaceForLogs, (long)delay.TotalMilliseconds);
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                string why;
                try
                {
                    await foreach (var change in watcher.WatchAsync(resourceVersion, cancellationToken).ConfigureAwait(false))
                    {
                        Apply(change);
                    }

                    why = "the watch ended";
                }
                catch (GoneException)
                {
                    why = "the watch's resourceVersion expired (410 Gone)";
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    why = $"the watch could not reconnect ({e.GetType().Name}: {e.Message})";
                }

                _logger.InformerRelisting(_resource, _namespaceForLogs, why);
                _options.OnRestart?.Invoke(InformerRestart.Relist);
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is not an error, whatever a request cut short by it threw.
        }
    }

    /// <summary>Lists everything, swaps the cache, tells handlers the differences; returns the list's resourceVersion.</summary>
    private async Task<string?> ListAndReplaceAsync(CancellationToken cancellationToken)
    {
        var list = await _client.ListAllAsync(_type, _options.Namespace, new ListOptions
        {
            LabelSelector = _options.LabelSelector,
            FieldSelector = _options.FieldSelector,
            Limit = _options.PageSize,
        }, cancellationToken).ConfigureAwait(false);

        var fresh = new Dictionary<string, T>(list.Items.Count, StringComparer.Ordinal);
        foreach (var item in list.Items)
        {
            fresh[Key(item)] = item;
        }

        var changes = new List<Change>();
        lock (_gate)
        {
            foreach (var (key, item) in fresh)
            {
                if (!_items.TryGetValue(key, out var old))
                {
                    changes.Add(new Change(WatchEventType.Added, null, item));
                }
                else if (old.Metadata.ResourceVersion != item.Metadata.ResourceVersion)
                {
                    changes.Add(new Change(WatchEventType.Modified, old, item));
                }
            }

            foreach (var (key, old) in _items)
            {
                if (!fresh.ContainsKey(key))
                {
                    changes.Add(new Change(WatchEventType.Deleted, old, old));
                }
            }

            _items = fresh;
            _lastResourceVersion = list.Metadata.ResourceVersion;
        }

        Interlocked.Increment(ref _lists);
        _logger.InformerListed(_resource, _namespaceForLogs, fresh.Count, list.Metadata.ResourceVersion,
            changes.Count(c => c.Type == WatchEventType.Added), changes.Count(c => c.Type == WatchEventType.Modified), changes.Count(c => c.Type == WatchEventType.Deleted));
        foreach (var change in changes)
        {
            Dispatch(change);
        }

        _synced.TrySetResult();
        return list.Metadata.ResourceVersion;
    }

    private void Apply(WatchEvent<T> watchEvent)
    {
        var obj = watchEvent.Object;
        Change change;
        lock (_gate)
        {
            _lastResourceVersion = watchEvent.ResourceVersion ?? _lastResourceVersion;
            if (watchEvent.Type == WatchEventType.Bookmark)
            {
                return;
            }

            var key = Key(obj);
            if (watchEvent.Type == WatchEventType.Deleted)
            {
                _items.Remove(key);
                change = new Change(WatchEventType.Deleted, null, obj);
            }
            else
            {
                // ADDED for a key we hold (possible after a reconnect) is an update.
                change = _items.TryGetValue(key, out var old)
                    ? new Change(WatchEventType.Modified, old, obj)
                    : new Change(WatchEventType.Added, null, obj);
                _items[key] = obj;
            }
        }

        Dispatch(change);
    }

    private void Dispatch(Change change)
    {
        foreach (var handler in _handlers)
        {
            try
            {
                switch (change.Type)
                {
                    case WatchEventType.Added:
                        handler.OnAdd(change.New);
                        break;
                    case WatchEventType.Modified:
                        handler.OnUpdate(change.Old!, change.New);
                        break;
                    case WatchEventType.Deleted:
                        handler.OnDelete(change.New);
                        break;
                }
            }
            catch (Exception e)
            {
                // One faulty handler must not stop the informer or starve the others.
                _logger.InformerHandlerFailed(e, _resource, change.Type.ToString(), Key(change.New));
            }
        }
    }

    private static string Key(T obj) => Key(obj.Metadata.Namespace, obj.Metadata.Name ?? "");

    private static string Key(string? @namespace, string name) => string.IsNullOrEmpty(@namespace) ? name : $"{@namespace}/{name}";

    private readonly record struct Change(WatchEventType Type, T? Old, T New);
}
