using System.Globalization;
using System.Runtime.CompilerServices;
using DataCluster.Client.Http;
using DataCluster.Client.Wire;
using DataCluster.Contracts;

namespace DataCluster.Client;

public sealed partial class DataClusterClient
{
    /// <inheritdoc />
    public IAsyncEnumerable<Event> ReadKeyAsync(string key, long after = -1, CancellationToken cancellationToken = default)
    {
        KeyCheck.Validate(key);
        CheckAfter(after);
        return ReadAsync(key, null, after, follow: false, cancellationToken);
    }

    /// <inheritdoc />
    public IAsyncEnumerable<Event> ReadPartitionAsync(int partition, long after = -1, CancellationToken cancellationToken = default)
    {
        CheckPartition(partition);
        CheckAfter(after);
        return ReadAsync(null, partition, after, follow: false, cancellationToken);
    }

    /// <inheritdoc />
    public IAsyncEnumerable<Event> FollowPartitionAsync(int partition, long after = -1, CancellationToken cancellationToken = default)
    {
        CheckPartition(partition);
        CheckAfter(after);
        return ReadAsync(null, partition, after, follow: true, cancellationToken);
    }

    private void CheckPartition(int partition)
    {
        var known = _view.Current.Partitions;
        if (partition < 0 || (known > 0 && partition >= known))
        {
            throw new ArgumentOutOfRangeException(nameof(partition), partition,
                known > 0 ? $"Partitions are numbered 0 to {known - 1}." : "Partitions are numbered from 0.");
        }
    }

    private static void CheckAfter(long after)
    {
        if (after < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(after), after, "Give the offset of the last event already seen, or -1 to read from the start.");
        }
    }

    private async IAsyncEnumerable<Event> ReadAsync(string? key, int? partitionOrNull, long after, bool follow, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var routes = await RingWithinAsync(follow ? Timeout.InfiniteTimeSpan : _options.ReadTimeout, cancellationToken).ConfigureAwait(false);
        var partition = partitionOrNull ?? DataCluster.Ring.KeyHash.PartitionOf(key!, routes.Partitions);
        if (partition >= routes.Partitions)
        {
            throw new ArgumentOutOfRangeException(nameof(partitionOrNull), partition, $"Partitions are numbered 0 to {routes.Partitions - 1}.");
        }

        long? waitedForOwn = null;
        while (true)
        {
            var page = await ReadPageAsync(key, partition, after, follow, cancellationToken).ConfigureAwait(false);
            if (page is null)
            {
                continue; // following: a failed read is retried after its backoff
            }

            foreach (var item in page.Events)
            {
                if (item.Offset <= after)
                {
                    continue; // never hand out an event twice, whatever a member answers
                }

                after = item.Offset;
                yield return new Event(partition, item.Offset, item.Epoch, item.Key, DateTimeOffset.FromUnixTimeMilliseconds(item.Timestamp), item.ContentType, item.Body ?? []);
            }

            // Everything committed was examined (a key read may examine records without returning
            // any), or the member made no progress: that is the end, or a pause when following.
            var caughtUp = page.NextAfter >= page.CommitOffset - 1 || page.NextAfter <= after && page.Events.Count == 0;
            after = Math.Max(after, page.NextAfter);
            if (caughtUp)
            {
                // A copy that has not committed this client's own acknowledged writes yet (a
                // follower's commit point trails the leader's by a heartbeat, and the routes may
                // name a follower for a moment after a leader change) is not the end: read again.
                var lagging = _acknowledged.TryGetValue(partition, out var own) && page.CommitOffset <= own;
                if (!follow && !lagging)
                {
                    yield break;
                }

                if (lagging && !follow)
                {
                    waitedForOwn ??= _time.GetTimestamp();
                    if (_time.GetElapsedTime(waitedForOwn.Value) > _options.ReadTimeout)
                    {
                        throw new DataClusterUnavailableException(
                            $"Partition {partition}: {page.Member} answered with events committed below offset {page.CommitOffset}, and no copy showed this client's write at offset {own} within {_options.ReadTimeout.TotalSeconds} s.",
                            null, null, null, null, null);
                    }
                }

                await Task.Delay(_options.FollowPollInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// One page from the partition's leader, retrying what can be retried within
    /// <see cref="DataClusterClientOptions.ReadTimeout"/>. Out of time, it throws, or when
    /// <paramref name="follow"/> returns null after a pause, so a follower outlives an outage.
    /// With <paramref name="fromConsumed"/> it reads from the partition's consumed offset
    /// (<c>after=consumed</c>) rather than after <paramref name="after"/>.
    /// </summary>
    private async Task<EventsBody?> ReadPageAsync(string? key, int partition, long after, bool follow, CancellationToken cancellationToken, bool fromConsumed = false)
    {
        var query = "?limit=" + _options.PageSize.ToString(CultureInfo.InvariantCulture)
            + (fromConsumed ? "&after=consumed" : after >= 0 ? "&after=" + after.ToString(CultureInfo.InvariantCulture) : "");
        var path = key is null
            ? "/v1/partitions/" + partition.ToString(CultureInfo.InvariantCulture) + "/events" + query
            : "/v1/keys/" + Uri.EscapeDataString(key) + "/events" + query;
        var started = _time.GetTimestamp();
        Uri? next = null;
        var failures = 0;
        while (true)
        {
            var remaining = _options.ReadTimeout - _time.GetElapsedTime(started);
            var target = next ?? Target(partition);
            next = null;
            var answer = await _http.SendAsync(
                () =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Get, new Uri(target, path));
                    if (_options.RouteToLeader)
                    {
                        request.Headers.Add(AgentHeaders.Redirect, "true");
                    }

                    return request;
                },
                WireJsonContext.Default.EventsBody,
                remaining < _options.AttemptTimeout && remaining > TimeSpan.Zero ? remaining : _options.AttemptTimeout,
                cancellationToken).ConfigureAwait(false);
            if (answer is { Ok: true, Value: { } page })
            {
                return page;
            }

            if (answer.Rejected)
            {
                throw new DataClusterRejectedException(
                    $"The agent at {target} refused to read partition {partition}: {answer.Status} {answer.Error}: {answer.Message}", answer.Status, answer.Error, answer.Message);
            }

            if (answer.Status == 421 && answer.LeaderAddress is { } leader && AgentHttp.MemberUri(_options.BaseAddress, leader) is var named && named != target && failures < 3)
            {
                next = named;
                failures++;
                continue;
            }

            failures++;
            if (answer.Unanswered && target != _options.BaseAddress)
            {
                next = _options.BaseAddress;
                _view.RefreshSoon();
            }

            var delay = answer.RetryAfter ?? Backoff.Delay(failures, _options.MinRetryDelay, _options.MaxRetryDelay);
            remaining = _options.ReadTimeout - _time.GetElapsedTime(started);
            if (delay >= remaining)
            {
                if (follow)
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                    return null;
                }

                throw new DataClusterUnavailableException(
                    $"Partition {partition} could not be read within {_options.ReadTimeout.TotalSeconds} s; last answer from {target}: {answer.Describe()}",
                    answer.Status > 0 ? answer.Status : null, answer.Error, answer.Message, answer.RetryAfter, answer.Failure);
            }

            ClientLog.ReadRetry(_logger, partition, target, answer.Status, answer.Error ?? answer.Failure?.GetType().Name, (long)delay.TotalMilliseconds);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
