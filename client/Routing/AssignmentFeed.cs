using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using DataCluster.Client.Http;
using DataCluster.Client.Wire;
using Microsoft.Extensions.Logging;

namespace DataCluster.Client.Routing;

/// <summary>
/// One agent's assignment changes, for as long as the caller enumerates: from its
/// <c>GET /v1/assignments/watch</c> stream, reopened with backoff when it breaks or falls silent,
/// and from polling <c>GET /v1/assignments</c> while the stream is down (or when the agent serves
/// none). Every (re)start of either source begins with <see cref="AssignmentChangeKind.Reset"/>
/// and rebuilds the state from nothing; an outage is announced once with
/// <see cref="AssignmentChangeKind.ConnectionLost"/>. Ends only by cancellation.
/// </summary>
internal sealed class AssignmentFeed(AgentHttp http, Uri agent, DataClusterClientOptions options, ILogger logger)
{
    /// <summary>Failed stream openings before polling fills in: one failure may be a blip, the next a real outage.</summary>
    private const int FailuresBeforePolling = 2;

    public Uri Agent => agent;

    public async IAsyncEnumerable<AssignmentChange> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var failures = 0;
        var streamSupported = true;
        var connected = false;
        AssignmentsBody? polled = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string reason;
            if (streamSupported)
            {
                var (stream, status, problem) = await OpenAsync(cancellationToken).ConfigureAwait(false);
                if (stream is not null)
                {
                    using (stream)
                    {
                        ClientLog.StreamOpened(logger, agent);
                        failures = 0;
                        polled = null;
                        connected = true;
                        yield return new AssignmentChange(AssignmentChangeKind.Reset, 0, []);
                        while (true)
                        {
                            var (change, end) = await stream.NextAsync(cancellationToken).ConfigureAwait(false);
                            if (change is not null)
                            {
                                yield return change;
                            }
                            else if (end is not null)
                            {
                                problem = end;
                                break;
                            }
                        }
                    }
                }
                else if (status is (int)HttpStatusCode.NotFound or (int)HttpStatusCode.MethodNotAllowed)
                {
                    ClientLog.StreamUnsupported(logger, agent, status);
                    streamSupported = false;
                }

                reason = problem ?? "the stream ended";
            }
            else
            {
                reason = "no stream";
            }

            failures++;
            if (!streamSupported || failures >= FailuresBeforePolling)
            {
                var current = await PollAsync(cancellationToken).ConfigureAwait(false);
                if (current is not null)
                {
                    foreach (var change in Difference(polled, current))
                    {
                        yield return change;
                    }

                    polled = current;
                    connected = true;
                }
                else if (connected)
                {
                    connected = false;
                    polled = null;
                    yield return new AssignmentChange(AssignmentChangeKind.ConnectionLost, 0, []);
                }
            }
            else if (connected)
            {
                connected = false;
                yield return new AssignmentChange(AssignmentChangeKind.ConnectionLost, 0, []);
            }

            var delay = streamSupported
                ? Backoff.Delay(failures, options.MinRetryDelay, options.MaxRetryDelay)
                : options.MaxRetryDelay;
            if (streamSupported)
            {
                ClientLog.StreamDown(logger, agent, reason, (long)delay.TotalMilliseconds);
            }

            await Task.Delay(delay, http.Time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The changes from one polled state to the next, in the stream's order within an epoch.</summary>
    internal static IEnumerable<AssignmentChange> Difference(AssignmentsBody? before, AssignmentsBody now)
    {
        if (before is null)
        {
            yield return new AssignmentChange(AssignmentChangeKind.Reset, 0, []);
            yield return new AssignmentChange(AssignmentChangeKind.Assigned, now.Epoch, Sorted(now.Replicas));
            if (now.Leads.Count > 0)
            {
                yield return new AssignmentChange(AssignmentChangeKind.LeaderGained, now.Epoch, Sorted(now.Leads));
            }

            yield break;
        }

        var lost = Sorted(before.Leads.Except(now.Leads));
        var revoked = Sorted(before.Replicas.Except(now.Replicas));
        var assigned = Sorted(now.Replicas.Except(before.Replicas));
        var gained = Sorted(now.Leads.Except(before.Leads));
        if (lost.Length > 0)
        {
            yield return new AssignmentChange(AssignmentChangeKind.LeaderLost, now.Epoch, lost);
        }

        if (revoked.Length > 0)
        {
            yield return new AssignmentChange(AssignmentChangeKind.Revoked, now.Epoch, revoked);
        }

        if (assigned.Length > 0)
        {
            yield return new AssignmentChange(AssignmentChangeKind.Assigned, now.Epoch, assigned);
        }

        if (gained.Length > 0)
        {
            yield return new AssignmentChange(AssignmentChangeKind.LeaderGained, now.Epoch, gained);
        }
    }

    private static int[] Sorted(IEnumerable<int> partitions)
    {
        var array = partitions.Distinct().ToArray();
        Array.Sort(array);
        return array;
    }

    private async Task<AssignmentsBody?> PollAsync(CancellationToken cancellationToken)
    {
        var answer = await http.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Get, new Uri(agent, "/v1/assignments")),
            WireJsonContext.Default.AssignmentsBody,
            options.AttemptTimeout,
            cancellationToken).ConfigureAwait(false);
        return answer.Ok ? answer.Value : null;
    }

    private async Task<(EventStream? Stream, int Status, string? Problem)> OpenAsync(CancellationToken cancellationToken)
    {
        HttpResponseMessage? response = null;
        try
        {
            using var opening = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            opening.CancelAfter(options.AttemptTimeout);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(agent, "/v1/assignments/watch"));
            request.Headers.Accept.ParseAdd("text/event-stream");
            response = await http.Client().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, opening.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var status = (int)response.StatusCode;
                response.Dispose();
                return (null, status, $"the agent answered {status}");
            }

            var body = await response.Content.ReadAsStreamAsync(opening.Token).ConfigureAwait(false);
            var stream = new EventStream(response, body, options.StreamIdleTimeout);
            response = null;
            return (stream, 200, null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            response?.Dispose();
            return (null, 0, e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>An open <c>text/event-stream</c> response, read event by event.</summary>
    private sealed class EventStream(HttpResponseMessage response, Stream body, TimeSpan idleTimeout) : IDisposable
    {
        private readonly StreamReader _reader = new(body, Encoding.UTF8);

        /// <summary>The next assignment event, or why the stream is over (never both null).</summary>
        public async Task<(AssignmentChange? Change, string? End)> NextAsync(CancellationToken cancellationToken)
        {
            string? type = null;
            var data = new StringBuilder();
            while (true)
            {
                string? line;
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    idle.CancelAfter(idleTimeout);
                    try
                    {
                        line = await _reader.ReadLineAsync(idle.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        return (null, $"nothing arrived for {idleTimeout.TotalSeconds} s, not even a keep-alive");
                    }
                    catch (Exception e) when (e is IOException or HttpRequestException)
                    {
                        return (null, e.GetType().Name + ": " + e.Message);
                    }
                }

                if (line is null)
                {
                    return (null, "the agent closed the stream");
                }

                if (line.Length == 0)
                {
                    if (type is not null && data.Length > 0 && Parse(type, data.ToString()) is { } change)
                    {
                        return (change, null);
                    }

                    type = null;
                    data.Clear();
                }
                else if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    type = line["event:".Length..].Trim();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Append(line["data:".Length..].TrimStart());
                }

                // Comments (": keep-alive") and ids (the epoch, also in the data) carry nothing more.
            }
        }

        public void Dispose()
        {
            _reader.Dispose();
            response.Dispose();
        }

        private static AssignmentChange? Parse(string type, string data)
        {
            var kind = type switch
            {
                "assigned" => AssignmentChangeKind.Assigned,
                "revoked" => AssignmentChangeKind.Revoked,
                "leader-gained" => AssignmentChangeKind.LeaderGained,
                "leader-lost" => AssignmentChangeKind.LeaderLost,
                _ => (AssignmentChangeKind?)null,
            };
            if (kind is null)
            {
                return null; // an event type a newer agent added
            }

            try
            {
                var body = JsonSerializer.Deserialize(data, WireJsonContext.Default.AssignmentEventBody);
                return body is null ? null : new AssignmentChange(kind.Value, body.Epoch, Sorted(body.Partitions ?? []));
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}
