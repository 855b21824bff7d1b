using System.Globalization;
using System.Text.Json.Nodes;
using DataCluster.Kube.Client;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataCluster.Kube.Controllers;

/// <summary>The two types of a core v1 Event.</summary>
public static class EventTypes
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";
}

/// <summary>
/// Reports notable happenings as core v1 Events on the object they concern (what
/// <c>kubectl describe</c> shows).
/// </summary>
/// <remarks>
/// Thread-safe. Recording never throws for API failures (an Event is advice, not state): they are
/// logged and dropped. Only cancellation propagates.
/// </remarks>
public interface IEventRecorder
{
    /// <summary>
    /// Records one occurrence. The same object, type, reason and message again within the
    /// aggregation window raises the existing Event's count and lastTimestamp instead of creating
    /// another Event.
    /// </summary>
    Task RecordAsync(ObjectReference involved, string type, string reason, string message, CancellationToken cancellationToken);

    /// <summary>
    /// Records the Event unless this object, type, reason and message was already recorded (by
    /// this recorder, or found on the server from an earlier run) and not forgotten since. For
    /// states that persist across reconciles, such as an invalid spec: calling this on every
    /// reconcile writes once.
    /// </summary>
    Task RecordOnceAsync(ObjectReference involved, string type, string reason, string message, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets what was recorded for the object with <paramref name="uid"/>: with
    /// <paramref name="reason"/>, that state has ended, so the same Event is recorded anew if it
    /// recurs; without, the object is gone.
    /// </summary>
    void Forget(string uid, string? reason = null);
}

/// <summary>Settings of an <see cref="EventRecorder"/>.</summary>
public sealed record EventRecorderOptions
{
    /// <summary>source.component and reportingComponent, e.g. "datacluster-operator".</summary>
    public required string Component { get; init; }

    /// <summary>reportingInstance and source.host, e.g. the pod name; optional.</summary>
    public string? Instance { get; init; }

    /// <summary>
    /// How long a repeat is folded into the previous Event's count. Ten minutes, as client-go's
    /// event correlator: long enough to fold a flapping condition into one line of
    /// <c>kubectl describe</c>, short enough that a recurrence hours later reads as new.
    /// </summary>
    public TimeSpan AggregationWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Longest message sent. 1024 characters, the limit of the events.k8s.io API's note, so the
    /// same Events read the same through either API.
    /// </summary>
    public int MaxMessageLength { get; init; } = 1024;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>
/// <see cref="IEventRecorder"/> on the core v1 Events API: creates Events and patches count and
/// lastTimestamp of repeats. Remembers what it recorded, and on first sight of an
/// object/reason looks for an existing Event on the server, so a restarted process continues
/// the previous one's Events instead of repeating them.
/// </summary>
public sealed class EventRecorder : IEventRecorder
{
    private readonly IKubeClient _client;
    private readonly EventRecorderOptions _options;
    private readonly ILogger _logger;
    // Serializes recording, so a lookup and the write that follows it see each other's results.
    private readonly SemaphoreSlim _gate = new(1, 1);

    // Guards _recorded for the short moments it is read or changed; never held across I/O.
    private readonly Lock _memory = new();
    private readonly Dictionary<Key, Remembered> _recorded = [];

    // (uid, reason) pairs whose state ended in this process: a recurrence is new, so Events an
    // earlier process left on the server must not stand in for it.
    private readonly HashSet<(string Uid, string Reason)> _ended = [];
    private long _sequence;

    public EventRecorder(IKubeClient client, EventRecorderOptions options, ILogger? logger = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        ArgumentException.ThrowIfNullOrEmpty(options.Component);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>A reference to <paramref name="obj"/> for <see cref="RecordAsync"/>; kind and apiVersion are given because list items from the API carry none.</summary>
    public static ObjectReference ReferenceTo(IKubernetesObject obj, string apiVersion, string kind)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return new ObjectReference
        {
            ApiVersion = apiVersion,
            Kind = kind,
            Namespace = obj.Metadata.Namespace,
            Name = obj.Metadata.Name,
            Uid = obj.Metadata.Uid,
        };
    }

    /// <inheritdoc />
    public Task RecordAsync(ObjectReference involved, string type, string reason, string message, CancellationToken cancellationToken) =>
        RecordCoreAsync(involved, type, reason, message, once: false, cancellationToken);

    /// <inheritdoc />
    public Task RecordOnceAsync(ObjectReference involved, string type, string reason, string message, CancellationToken cancellationToken) =>
        RecordCoreAsync(involved, type, reason, message, once: true, cancellationToken);

    /// <inheritdoc />
    public void Forget(string uid, string? reason = null)
    {
        lock (_memory)
        {
            foreach (var key in _recorded.Keys.Where(k => k.Uid == uid && (reason is null || k.Reason == reason)).ToList())
            {
                _recorded.Remove(key);
            }

            if (reason is null)
            {
                _ended.RemoveWhere(e => e.Uid == uid); // the object is gone
            }
            else
            {
                _ended.Add((uid, reason));
            }
        }
    }

    private async Task RecordCoreAsync(ObjectReference involved, string type, string reason, string message, bool once, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(involved);
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        message = message.Length <= _options.MaxMessageLength ? message : message[..(_options.MaxMessageLength - 3)] + "...";
        var key = new Key(involved.Uid ?? $"{involved.Namespace}/{involved.Kind}/{involved.Name}", type, reason, message);
        var ns = string.IsNullOrEmpty(involved.Namespace) ? "default" : involved.Namespace;

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _options.TimeProvider.GetUtcNow();
            Remembered? remembered;
            bool ended;
            lock (_memory)
            {
                Prune(now);
                _recorded.TryGetValue(key, out remembered);
                ended = _ended.Contains((key.Uid, reason));
            }

            if (remembered is null && !ended)
            {
                remembered = await FindOnServerAsync(ns, involved, key, cancellationToken).ConfigureAwait(false);
                if (remembered is not null)
                {
                    remembered.Once = once;
                    Remember(key, remembered);
                    if (once)
                    {
                        return;
                    }
                }
            }
            else if (remembered is not null && once)
            {
                remembered.Once = true;
                return;
            }

            if (remembered is not null && now - remembered.LastSeen < _options.AggregationWindow)
            {
                if (await PatchCountAsync(remembered, now, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }

            var created = await CreateAsync(ns, involved, type, reason, message, now, cancellationToken).ConfigureAwait(false);
            if (created is not null)
            {
                Remember(key, new Remembered(ns, created, 1, now) { Once = once });
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Remembered?> FindOnServerAsync(string ns, ObjectReference involved, Key key, CancellationToken cancellationToken)
    {
        if (involved.Uid is null)
        {
            return null;
        }

        try
        {
            var selector = $"involvedObject.uid={involved.Uid},reason={key.Reason},type={key.Type}";
            var events = await _client.ListAsync(KubeResources.Events, ns, new ListOptions { FieldSelector = selector }, cancellationToken).ConfigureAwait(false);
            var match = events.Items
                .Where(e => e.Message == key.Message && e.Source?.Component == _options.Component && e.Metadata.Name is not null)
                .OrderByDescending(e => e.LastTimestamp ?? e.EventTime ?? e.Metadata.CreationTimestamp)
                .FirstOrDefault();
            return match is null
                ? null
                : new Remembered(ns, match.Metadata.Name!, match.Count ?? 1, match.LastTimestamp ?? match.EventTime ?? match.Metadata.CreationTimestamp ?? DateTimeOffset.MinValue);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Without the lookup the worst case is one Event too many.
            _logger.EventFailed(e, key.Reason, involved.Kind ?? "", involved.Namespace, involved.Name);
            return null;
        }
    }

    private async Task<bool> PatchCountAsync(Remembered remembered, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var count = remembered.Count + 1;
        var patch = new JsonObject
        {
            ["count"] = count,
            ["lastTimestamp"] = WholeSeconds(now).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        try
        {
            await _client.MergePatchAsync(KubeResources.Events, remembered.Namespace, remembered.EventName, patch, cancellationToken).ConfigureAwait(false);
            remembered.Count = count;
            remembered.LastSeen = now;
            return true;
        }
        catch (NotFoundException)
        {
            return false; // expired on the server (Events live an hour by default): create a new one
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _logger.EventFailed(e, "(count)", "", remembered.Namespace, remembered.EventName);
            return true; // do not turn a failed patch into a duplicate Event
        }
    }

    private async Task<string?> CreateAsync(string ns, ObjectReference involved, string type, string reason, string message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var time = WholeSeconds(now);
        // NAME.HEX as client-go names Events; the sequence keeps two Events of one instant apart.
        var suffix = (now.UtcTicks * 16) + (Interlocked.Increment(ref _sequence) % 16);
        var name = $"{involved.Name}.{suffix.ToString("x", CultureInfo.InvariantCulture)}";
        var @event = new Event
        {
            Metadata = new ObjectMeta { Name = name, Namespace = ns },
            InvolvedObject = involved,
            Type = type,
            Reason = reason,
            Message = message,
            Source = new EventSource { Component = _options.Component, Host = _options.Instance },
            Count = 1,
            FirstTimestamp = time,
            LastTimestamp = time,
            ReportingComponent = _options.Component,
            ReportingInstance = _options.Instance,
        };

        try
        {
            await _client.CreateAsync(KubeResources.Events, @event, cancellationToken).ConfigureAwait(false);
            _logger.EventRecorded(type, reason, involved.Kind ?? "", involved.Namespace, involved.Name, message);
            return name;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _logger.EventFailed(e, reason, involved.Kind ?? "", involved.Namespace, involved.Name);
            return null;
        }
    }

    /// <summary>metav1.Time has whole seconds.</summary>
    private static DateTimeOffset WholeSeconds(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private void Remember(Key key, Remembered remembered)
    {
        lock (_memory)
        {
            _recorded[key] = remembered;
        }
    }

    /// <summary>Drops aggregation state past the window; Events recorded once are kept until forgotten. Holds _memory.</summary>
    private void Prune(DateTimeOffset now)
    {
        foreach (var key in _recorded.Where(p => !p.Value.Once && now - p.Value.LastSeen >= _options.AggregationWindow).Select(p => p.Key).ToList())
        {
            _recorded.Remove(key);
        }
    }

    private readonly record struct Key(string Uid, string Type, string Reason, string Message);

    private sealed class Remembered(string @namespace, string eventName, int count, DateTimeOffset lastSeen)
    {
        public string Namespace { get; } = @namespace;

        public string EventName { get; } = eventName;

        public int Count { get; set; } = count;

        public DateTimeOffset LastSeen { get; set; } = lastSeen;

        public bool Once { get; set; }
    }
}
