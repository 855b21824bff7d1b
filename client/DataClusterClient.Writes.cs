using System.Globalization;
using System.Net.Http.Headers;
using DataCluster.Client.Http;
using DataCluster.Client.Wire;
using DataCluster.Contracts;

namespace DataCluster.Client;

public sealed partial class DataClusterClient
{
    /// <summary>Redirects followed in a row without a pause: more means the members disagree for a moment, so wait for them.</summary>
    private const int RedirectsWithoutPause = 3;

    private static readonly MediaTypeHeaderValue TextPlain = MediaTypeHeaderValue.Parse("text/plain; charset=utf-8");

    /// <inheritdoc />
    public Task<WriteResult> WriteAsync(string key, string text, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return WriteCoreAsync(key, System.Text.Encoding.UTF8.GetBytes(text), options ?? new WriteOptions(), options?.ContentType ?? TextPlain.ToString(), cancellationToken);
    }

    /// <inheritdoc />
    public Task<WriteResult> WriteAsync(string key, ReadOnlyMemory<byte> body, WriteOptions? options = null, CancellationToken cancellationToken = default) =>
        WriteCoreAsync(key, body, options ?? new WriteOptions(), options?.ContentType, cancellationToken);

    private async Task<WriteResult> WriteCoreAsync(string key, ReadOnlyMemory<byte> body, WriteOptions write, string? contentType, CancellationToken cancellationToken)
    {
        KeyCheck.Validate(key);
        if (body.Length > Limits.MaxEventBytes.Max)
        {
            throw new ArgumentException($"The body is {body.Length} bytes, over the {Limits.MaxEventBytes.Max} bytes no agent accepts; split the event.", nameof(body));
        }

        if (write.CommitLevel is { } asked && !Enum.IsDefined(asked))
        {
            throw new ArgumentOutOfRangeException(nameof(write), asked, "The commit level must be One, Quorum or All.");
        }

        var timeout = write.Timeout ?? _options.WriteTimeout;
        if (timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(write), timeout, "The write timeout must be positive.");
        }

        MediaTypeHeaderValue? mediaType = null;
        if (contentType is not null && !MediaTypeHeaderValue.TryParse(contentType, out mediaType))
        {
            throw new ArgumentException($"'{contentType}' is not a content type such as application/json.", nameof(write));
        }

        var started = _time.GetTimestamp();
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var limited = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        int partition;
        try
        {
            partition = await _view.PartitionOfAsync(key, limited.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DataClusterUnavailableException(
                $"The ring could not be read from {_options.BaseAddress} within {timeout.TotalSeconds} s, so the key's partition is unknown; check that the agent runs there (DataCluster:Client:BaseAddress).",
                null, null, null, null, null);
        }

        var gate = _partitionGates.GetOrAdd(partition, _ => new SemaphoreSlim(1, 1));
        try
        {
            await gate.WaitAsync(limited.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DataClusterUnavailableException(
                $"Earlier writes of partition {partition} did not finish within this write's {timeout.TotalSeconds} s.", null, null, null, null, null);
        }

        try
        {
            // Taken under the partition's gate, so each partition's leader sees its sequences rising.
            var sequence = Interlocked.Increment(ref _sequence);
            return await SendWriteAsync(key, partition, sequence, body, mediaType, write.CommitLevel ?? _options.CommitLevel, timeout, started, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<WriteResult> SendWriteAsync(
        string key, int partition, long sequence, ReadOnlyMemory<byte> body, MediaTypeHeaderValue? mediaType, CommitLevel? level, TimeSpan timeout, long started, CancellationToken cancellationToken)
    {
        var path = "/v1/keys/" + Uri.EscapeDataString(key) + "/events" + (level is { } l ? "?commitLevel=" + l : "");
        Uri? next = null;
        var failures = 0;
        var redirects = 0;
        var attempts = 0;
        AgentAnswer<WriteBody>? last = null;
        while (true)
        {
            var remaining = timeout - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw GaveUp(key, partition, sequence, attempts, started, last, $"no acknowledgement within {timeout.TotalSeconds} s");
            }

            var target = next ?? Target(partition);
            next = null;
            attempts++;
            var answer = await _http.SendAsync(
                () => WriteRequest(new Uri(target, path), body, mediaType, sequence),
                WireJsonContext.Default.WriteBody,
                remaining < _options.AttemptTimeout ? remaining : _options.AttemptTimeout,
                cancellationToken).ConfigureAwait(false);
            last = answer;
            if (answer is { Ok: true, Value: { } written })
            {
                _acknowledged.AddOrUpdate(written.Partition, written.Offset, (_, known) => Math.Max(known, written.Offset));
                return new WriteResult(written.Partition, written.Epoch, written.Offset, ParseLevel(written.CommitLevel, level), written.Duplicate);
            }

            if (answer.Rejected)
            {
                throw new DataClusterRejectedException(
                    $"The agent at {target} refused the write of key '{key}': {answer.Status} {answer.Error}: {answer.Message}", answer.Status, answer.Error, answer.Message);
            }

            TimeSpan delay;
            if (answer.Status == 421 && answer.LeaderAddress is { } leader && AgentHttp.MemberUri(_options.BaseAddress, leader) is var named && named != target
                && ++redirects <= RedirectsWithoutPause)
            {
                ClientLog.WriteRedirected(_logger, key, partition, target, answer.LeaderId ?? leader);
                next = named;
                continue;
            }

            failures++;
            if (answer.Unanswered && target != _options.BaseAddress)
            {
                // The leader's address did not answer (it may have died): the base address's agent
                // knows the next leader first, and forwards or names it.
                next = _options.BaseAddress;
                _view.RefreshSoon();
            }

            delay = answer.RetryAfter ?? Backoff.Delay(failures, _options.MinRetryDelay, _options.MaxRetryDelay);
            remaining = timeout - _time.GetElapsedTime(started);
            if (delay >= remaining)
            {
                throw GaveUp(key, partition, sequence, attempts, started, answer,
                    answer.RetryAfter is { } after ? $"the agent asked to retry after {after.TotalSeconds} s, beyond the write's remaining {Math.Max(0, remaining.TotalSeconds):0.#} s" : $"no acknowledgement within {timeout.TotalSeconds} s");
            }

            ClientLog.WriteRetry(_logger, key, partition, sequence, target, answer.Status, answer.Error ?? answer.Failure?.GetType().Name, (long)delay.TotalMilliseconds);
            redirects = 0;
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private HttpRequestMessage WriteRequest(Uri url, ReadOnlyMemory<byte> body, MediaTypeHeaderValue? mediaType, long sequence)
    {
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = mediaType;
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        request.Headers.Add(AgentHeaders.ProducerId, _producerId);
        request.Headers.Add(AgentHeaders.Sequence, sequence.ToString(CultureInfo.InvariantCulture));
        if (_options.RouteToLeader)
        {
            request.Headers.Add(AgentHeaders.Redirect, "true");
        }

        return request;
    }

    private DataClusterUnavailableException GaveUp(string key, int partition, long sequence, int attempts, long started, AgentAnswer<WriteBody>? last, string why)
    {
        var reason = last is null ? "no attempt was made" : last.Describe();
        ClientLog.WriteGaveUp(_logger, key, partition, sequence, attempts, ElapsedMs(started), why + "; last: " + reason);
        return new DataClusterUnavailableException(
            $"The write of key '{key}' (partition {partition}) was not acknowledged after {attempts} attempts in {ElapsedMs(started)} ms: {why}. Last answer: {reason}. It may still have been stored; reading the key shows whether it was.",
            last is { Status: > 0 } ? last.Status : null, last?.Error, last?.Message, last?.RetryAfter, last?.Failure);
    }

    private static CommitLevel ParseLevel(string text, CommitLevel? asked) =>
        Enum.TryParse<CommitLevel>(text, ignoreCase: true, out var level) && Enum.IsDefined(level) ? level : asked ?? CommitLevel.Quorum;
}
