using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using DataCluster.Kube.Client;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Logging;
using DataCluster.Kube.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataCluster.Kube.Watch;

/// <summary>Settings of a <see cref="ResourceWatcher{T}"/>.</summary>
public sealed record ResourceWatcherOptions
{
    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>
    /// Each watch request asks the server to close after a random time between this and twice
    /// this (client-go's reflector does the same with 5 minutes): streams are recycled
    /// regularly, which moves watchers across API servers behind a load balancer, and the
    /// randomness keeps a fleet from reconnecting in step.
    /// </summary>
    public TimeSpan MinWatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan BackoffInitial { get; init; } = Backoff.DefaultInitial;

    public TimeSpan BackoffMax { get; init; } = Backoff.DefaultMax;

    /// <summary>
    /// After this many failed reconnects in a row, stop and rethrow the last error so the
    /// caller can relist; null retries forever.
    /// </summary>
    public int? MaxConsecutiveFailures { get; init; }

    /// <summary>
    /// Called on the watching loop just before each watch request after the first one (a
    /// reconnect, whether the previous stream ended normally or failed). For metrics; must be quick.
    /// </summary>
    public Action? OnReconnect { get; init; }
}

/// <summary>
/// A watch that survives dropped connections: it reconnects with jittered exponential backoff
/// and resumes from the last resourceVersion it saw (including bookmarks), so no event is lost
/// or repeated across reconnects. It cannot recover from 410 Gone: then the sequence throws
/// <see cref="GoneException"/> and the caller must list again and start a new watch from the
/// list's resourceVersion (what <see cref="Informers.Informer{T}"/> does).
/// </summary>
/// <remarks>
/// The instance holds only settings; each <see cref="WatchAsync"/> enumeration is independent
/// and consumed by one reader. Events are yielded in server order.
/// </remarks>
public sealed class ResourceWatcher<T>
    where T : class, IKubernetesObject
{
    // A stream that closes sooner than this without delivering anything is treated as a
    // failure, so a server that accepts and immediately closes cannot spin us in a hot loop.
    private static readonly TimeSpan MinHealthyStream = TimeSpan.FromSeconds(1);

    private readonly IKubeClient _client;
    private readonly ResourceType<T> _type;
    private readonly string? _namespace;
    private readonly ResourceWatcherOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public ResourceWatcher(IKubeClient client, ResourceType<T> type, string? @namespace, ResourceWatcherOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _type = type ?? throw new ArgumentNullException(nameof(type));
        _namespace = @namespace;
        _options = options ?? new ResourceWatcherOptions();
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Watches from <paramref name="resourceVersion"/> until cancelled. Yields bookmarks too
    /// (callers that keep no resume point of their own may ignore them).
    /// </summary>
    /// <exception cref="GoneException">The resume point was compacted away: relist.</exception>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(string? resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var backoff = new Backoff(_options.BackoffInitial, _options.BackoffMax);
        var resource = _type.ToString();
        var ns = _namespace ?? "(all)";
        var lastVersion = resourceVersion;
        var first = true;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!first)
            {
                _options.OnReconnect?.Invoke();
            }

            first = false;
            var options = new WatchOptions
            {
                ResourceVersion = lastVersion,
                LabelSelector = _options.LabelSelector,
                FieldSelector = _options.FieldSelector,
                AllowBookmarks = true,
                TimeoutSeconds = (int)(_options.MinWatchTimeout.TotalSeconds * (1 + Random.Shared.NextDouble())),
            };

            var opened = _time.GetTimestamp();
            var received = false;
            Exception? failure = null;
            var events = _client.WatchAsync(_type, _namespace, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    try
                    {
                        if (!await events.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }
                    }
                    catch (GoneException)
                    {
                        _logger.WatchExpired(resource, ns, lastVersion);
                        throw;
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        throw;
                    }
                    catch (Exception e)
                    {
                        // Refused connections, resets, 5xx, 429, timeouts, and also 401/403:
                        // credentials rotate and RBAC may be granted later, as in client-go.
                        failure = e;
                        break;
                    }

                    var current = events.Current;
                    lastVersion = current.ResourceVersion ?? lastVersion;
                    if (!received)
                    {
                        received = true;
                        backoff.Reset();
                    }

                    yield return current;
                }
            }
            finally
            {
                await events.DisposeAsync().ConfigureAwait(false);
            }

            if (failure is null && (received || _time.GetElapsedTime(opened) >= MinHealthyStream))
            {
                _logger.WatchClosed(resource, ns, lastVersion);
                backoff.Reset();
                continue;
            }

            failure ??= new IOException($"The watch of {resource} closed at once without any event.");
            TimeSpan delay;
            if (received)
            {
                // A working stream broke: a fresh disconnect, not a failed reconnect. Pause
                // briefly (no hot loop if it keeps happening) but do not count it.
                delay = backoff.Next();
                backoff.Reset();
            }
            else
            {
                if (_options.MaxConsecutiveFailures is int max && backoff.Attempts + 1 >= max)
                {
                    _logger.WatchGaveUp(resource, ns, backoff.Attempts + 1);
                    ExceptionDispatchInfo.Capture(failure).Throw();
                }

                delay = backoff.Next();
            }

            _logger.WatchFailed(failure, resource, ns, backoff.Attempts + (received ? 1 : 0), (long)delay.TotalMilliseconds);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
