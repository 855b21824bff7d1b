using System.Diagnostics;
using System.Net.Http.Json;
using DataCluster.Agent.DataPlane;
using DataCluster.Agent.Http;
using DataCluster.Replication;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Delivery;

/// <summary>
/// Pushes the committed events of every partition this member leads to the local app, in offset
/// order, at least once (DESIGN section 6, point 6). One loop per led partition reads a batch
/// from the partition's consumed offset, POSTs it, and on a 2xx moves the consumed offset past
/// it (the data plane replicates it to the followers, so the next leader resumes there). Any
/// other answer, or none in time, is retried for that partition alone with capped exponential
/// backoff; the others carry on. A partition's loop ends when this member stops leading it.
/// </summary>
/// <remarks>
/// <para>One batch per partition is in flight at a time, and at most
/// <see cref="AppDeliveryOptions.MaxPartitionsInFlight"/> partitions have one on the wire; a
/// partition waiting out its backoff holds no slot.</para>
/// <para>Duplicates: a batch the app took but whose consumed offset was not yet replicated when
/// the leadership moved is sent again by the next leader; so is a batch whose 2xx was lost.</para>
/// </remarks>
public sealed class AppDelivery : IDisposable
{
    private readonly DataPlane.DataPlane _plane;
    private readonly AppDeliveryOptions _options;
    private readonly string _member;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _slots;
    private readonly Dictionary<int, PartitionLoop> _loops = [];

    /// <param name="plane">The member's data plane.</param>
    /// <param name="options">Where and how to deliver; must be valid.</param>
    /// <param name="member">This member's id, sent with each batch.</param>
    /// <param name="logger">Where delivery problems are logged.</param>
    /// <param name="time">The clock for backoffs; null = the system clock.</param>
    /// <param name="handler">The HTTP handler; null = a pooled <see cref="SocketsHttpHandler"/>.</param>
    public AppDelivery(DataPlane.DataPlane plane, AppDeliveryOptions options, string member, ILogger logger, TimeProvider? time = null, HttpMessageHandler? handler = null)
    {
        _plane = plane ?? throw new ArgumentNullException(nameof(plane));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _member = member ?? throw new ArgumentNullException(nameof(member));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _time = time ?? TimeProvider.System;
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"invalid delivery options: {string.Join("; ", errors)}", nameof(options));
        }

        // One connection per partition in flight; the timeout is applied per attempt below. The app
        // is local to the pod: a cluster-wide HTTP proxy setting must not route it elsewhere.
        _http = new HttpClient(handler ?? new SocketsHttpHandler { MaxConnectionsPerServer = options.MaxPartitionsInFlight, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1), UseProxy = false })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _slots = new SemaphoreSlim(options.MaxPartitionsInFlight, options.MaxPartitionsInFlight);
    }

    /// <summary>Runs until cancelled: starts a loop for each partition this member comes to lead, and stops it when the leadership goes.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        DeliveryLog.Started(_logger, _options.Url.ToString(), _options.MaxPartitionsInFlight);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Reconcile(cancellationToken);
                await Task.Delay(_options.ScanInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var loop in _loops.Values)
            {
                await loop.Stop.CancelAsync().ConfigureAwait(false);
            }

            await Task.WhenAll(_loops.Values.Select(l => l.Running)).ConfigureAwait(false);
            foreach (var loop in _loops.Values)
            {
                loop.Stop.Dispose();
            }

            _loops.Clear();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _http.Dispose();
        _slots.Dispose();
    }

    /// <summary>One loop per partition led in its current term: new leaderships start one, lost or replaced ones are stopped.</summary>
    private void Reconcile(CancellationToken cancellationToken)
    {
        var led = new Dictionary<int, long>();
        foreach (var status in _plane.Statuses)
        {
            if (status.Role == ReplicaRole.Leading)
            {
                led[status.Partition] = status.Term;
            }
        }

        List<int>? ended = null;
        foreach (var (partition, loop) in _loops)
        {
            if (loop.Running.IsCompleted || !led.TryGetValue(partition, out var term) || term != loop.Term)
            {
                loop.Stop.Cancel();
                (ended ??= []).Add(partition);
            }
        }

        foreach (var partition in ended ?? [])
        {
            var loop = _loops[partition];
            _loops.Remove(partition);
            // Disposed once it has stopped; its HTTP call is cancelled with it.
            _ = loop.Running.ContinueWith(_ => loop.Stop.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        foreach (var (partition, term) in led)
        {
            if (!_loops.ContainsKey(partition))
            {
                var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                _loops[partition] = new PartitionLoop(term, stop, Task.Run(() => DeliverAsync(partition, term, stop.Token), CancellationToken.None));
            }
        }
    }

    /// <summary>Delivers one partition for one leadership term until it ends or the loop is cancelled.</summary>
    private async Task DeliverAsync(int partition, long term, CancellationToken cancellationToken)
    {
        var started = false;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var batch = await _plane.ReadForDeliveryAsync(partition, term, _options.MaxBatchEvents, cancellationToken).ConfigureAwait(false);
                if (batch is null)
                {
                    break;
                }

                if (!started)
                {
                    started = true;
                    DeliveryLog.PartitionStarted(_logger, partition, batch.FromOffset, term);
                }

                if (batch.NextOffset == batch.FromOffset)
                {
                    if (!await _plane.WaitForCommitAsync(partition, term, batch.FromOffset, _options.IdleRecheck, cancellationToken).ConfigureAwait(false))
                    {
                        break;
                    }

                    continue;
                }

                if (batch.Records.Count > 0 && !await SendUntilTakenAsync(batch, cancellationToken).ConfigureAwait(false))
                {
                    break;
                }

                // Control records alone (a TermStart) are skipped without a request, but counted consumed.
                var consumed = await _plane.ConsumeAsync(partition, batch.NextOffset, term, cancellationToken).ConfigureAwait(false);
                if (consumed.Status == ConsumeStatus.NotLeader)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        DeliveryLog.PartitionStopped(_logger, partition, term);
    }

    /// <summary>Sends a batch until the app answers 2xx (true), or this member stops leading the partition in its term (false).</summary>
    private async Task<bool> SendUntilTakenAsync(DeliveryBatch batch, CancellationToken cancellationToken)
    {
        var body = Body(batch);
        var delay = _options.InitialBackoff;
        for (var attempt = 1; ; attempt++)
        {
            var failure = await SendOnceAsync(body, cancellationToken).ConfigureAwait(false);
            if (failure is null)
            {
                return true;
            }

            DeliveryLog.BatchFailed(_logger, batch.Partition, batch.FromOffset, failure, attempt, (long)delay.TotalMilliseconds);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxBackoff.Ticks));
            if (_plane.StatusOf(batch.Partition) is not { Role: ReplicaRole.Leading } status || status.Term != batch.Term)
            {
                return false;
            }
        }
    }

    /// <summary>One attempt: null when the app answered 2xx, else why not.</summary>
    private async Task<string?> SendOnceAsync(DeliveryBody body, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        string? failure;
        try
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(_options.Timeout);
            try
            {
                using var response = await _http.PostAsJsonAsync(_options.Url, body, AgentJsonContext.Default.DeliveryBody, attempt.Token).ConfigureAwait(false);
                failure = response.IsSuccessStatusCode ? null : $"status {(int)response.StatusCode}";
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = $"no answer within {_options.Timeout.TotalSeconds:0.###} s";
            }
            catch (HttpRequestException e)
            {
                failure = e.Message;
            }
        }
        finally
        {
            _slots.Release();
        }

        _plane.Metrics.Delivered(failure is null, Stopwatch.GetElapsedTime(started));
        return failure;
    }

    private DeliveryBody Body(DeliveryBatch batch)
    {
        var events = new List<EventItem>(batch.Records.Count);
        foreach (var record in batch.Records)
        {
            events.Add(EventItem.From(record));
        }

        return new DeliveryBody(batch.Partition, batch.Term, _member, batch.NextOffset, events);
    }

    private sealed record PartitionLoop(long Term, CancellationTokenSource Stop, Task Running);
}
