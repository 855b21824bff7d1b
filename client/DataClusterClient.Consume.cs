using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using DataCluster.Client.Http;
using DataCluster.Client.Wire;
using DataCluster.Contracts;

namespace DataCluster.Client;

public sealed partial class DataClusterClient
{
    private static readonly MediaTypeHeaderValue Json = MediaTypeHeaderValue.Parse("application/json");

    /// <inheritdoc />
    public PartitionConsumer Consume(int partition, ConsumerCommit commit = ConsumerCommit.Explicit)
    {
        CheckPartition(partition);
        if (!Enum.IsDefined(commit))
        {
            throw new ArgumentOutOfRangeException(nameof(commit), commit, "Commit must be Explicit or OnNextMove.");
        }

        return new PartitionConsumer(this, partition, commit);
    }

    /// <summary>The partitions' count once the ring was read, waiting for it as a follow read does (until cancelled).</summary>
    internal async Task<int> PartitionsAsync(CancellationToken cancellationToken) =>
        (await RingWithinAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false)).Partitions;

    /// <summary>
    /// One page for a consumer: from the partition's consumed offset when <paramref name="after"/>
    /// is null, else after it. Null after a pause when the leader could not be read within
    /// <see cref="DataClusterClientOptions.ReadTimeout"/> (the consumer asks again).
    /// </summary>
    internal Task<EventsBody?> ConsumerPageAsync(int partition, long? after, CancellationToken cancellationToken) =>
        ReadPageAsync(null, partition, after ?? -1, follow: true, cancellationToken, fromConsumed: after is null);

    internal TimeSpan FollowPollInterval => _options.FollowPollInterval;

    internal TimeProvider Time => _time;

    /// <summary>
    /// Records at the partition's leader that every event below <paramref name="offset"/> was
    /// consumed: follows a 421 to the leader it names, waits out a 503's Retry-After, goes back to
    /// the base address when the leader's address does not answer; gives up after
    /// <see cref="DataClusterClientOptions.WriteTimeout"/>.
    /// </summary>
    /// <returns>The partition's consumed offset as the leader recorded it (at least <paramref name="offset"/>).</returns>
    /// <exception cref="DataClusterRejectedException">The agent refused the offset (beyond the commit point, or malformed).</exception>
    /// <exception cref="DataClusterUnavailableException">No leader took it within the write timeout.</exception>
    internal async Task<long> CommitConsumedAsync(int partition, long offset, CancellationToken cancellationToken)
    {
        var path = "/v1/partitions/" + partition.ToString(CultureInfo.InvariantCulture) + "/consumed";
        var body = JsonSerializer.SerializeToUtf8Bytes(new ConsumedRequestBody(offset), WireJsonContext.Default.ConsumedRequestBody);
        var timeout = _options.WriteTimeout;
        var started = _time.GetTimestamp();
        Uri? next = null;
        var failures = 0;
        var redirects = 0;
        while (true)
        {
            var remaining = timeout - _time.GetElapsedTime(started);
            var target = next ?? Target(partition);
            next = null;
            var answer = await _http.SendAsync(
                () =>
                {
                    var content = new ByteArrayContent(body);
                    content.Headers.ContentType = Json;
                    var request = new HttpRequestMessage(HttpMethod.Post, new Uri(target, path)) { Content = content };
                    if (_options.RouteToLeader)
                    {
                        request.Headers.Add(AgentHeaders.Redirect, "true");
                    }

                    return request;
                },
                WireJsonContext.Default.ConsumedBody,
                remaining < _options.AttemptTimeout && remaining > TimeSpan.Zero ? remaining : _options.AttemptTimeout,
                cancellationToken).ConfigureAwait(false);
            if (answer is { Ok: true, Value: { } recorded })
            {
                return recorded.ConsumedOffset;
            }

            if (answer.Rejected)
            {
                throw new DataClusterRejectedException(
                    $"The agent at {target} refused the consumed offset {offset} of partition {partition}: {answer.Status} {answer.Error}: {answer.Message}", answer.Status, answer.Error, answer.Message);
            }

            if (answer.Status == 421 && answer.LeaderAddress is { } leader && AgentHttp.MemberUri(_options.BaseAddress, leader) is var named && named != target
                && ++redirects <= RedirectsWithoutPause)
            {
                next = named;
                continue;
            }

            failures++;
            if (answer.Unanswered && target != _options.BaseAddress)
            {
                next = _options.BaseAddress;
                _view.RefreshSoon();
            }

            var delay = answer.RetryAfter ?? Backoff.Delay(failures, _options.MinRetryDelay, _options.MaxRetryDelay);
            remaining = timeout - _time.GetElapsedTime(started);
            if (delay >= remaining)
            {
                throw new DataClusterUnavailableException(
                    $"The consumed offset {offset} of partition {partition} was not recorded within {timeout.TotalSeconds} s; last answer from {target}: {answer.Describe()}. Committing it again later is harmless.",
                    answer.Status > 0 ? answer.Status : null, answer.Error, answer.Message, answer.RetryAfter, answer.Failure);
            }

            ClientLog.CommitRetry(_logger, partition, offset, target, answer.Status, answer.Error ?? answer.Failure?.GetType().Name, (long)delay.TotalMilliseconds);
            redirects = 0;
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
