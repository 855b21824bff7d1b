using System.Buffers;
using System.Globalization;
using System.Text;
using DataCluster.Agent.DataPlane;
using DataCluster.Agent.Hosting;
using DataCluster.Contracts;
using DataCluster.Replication;
using DataCluster.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace DataCluster.Agent.Http;

/// <summary>
/// The write and read routes of the client API: <c>POST /v1/keys/{key}/events</c>,
/// <c>GET /v1/keys/{key}/events</c> and <c>GET /v1/partitions/{p}/events</c>. Any agent takes
/// a request: the partition leader serves a write, another member forwards it there in one hop
/// (or answers 421 when asked to, or when the request was already forwarded). Reads are served
/// from this member's copy when it holds one, else forwarded the same way. Bad input is a 4xx
/// with a JSON body saying what to fix; nothing is stored for it.
/// </summary>
public static class EventsApi
{
    /// <summary>Most events one read returns.</summary>
    public const int MaxLimit = 1000;

    /// <summary>Events one read returns when the client names no limit.</summary>
    public const int DefaultLimit = 100;

    private const string KeysPrefix = "/v1/keys/";
    private const string EventsSuffix = "/events";

    /// <summary>Maps the routes onto <paramref name="app"/>.</summary>
    public static void Map(IEndpointRouteBuilder app, AgentContext agent, LeaderForwarder forwarder)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(forwarder);
        app.MapPost("/v1/keys/{key}/events", (Func<HttpContext, Task<IResult>>)(context => WriteAsync(agent, forwarder, context)));
        app.MapGet("/v1/keys/{key}/events", (Func<HttpContext, Task<IResult>>)(context => ReadKeyAsync(agent, forwarder, context)));
        app.MapGet("/v1/partitions/{partition}/events", (HttpContext context, string partition) => ReadPartitionAsync(agent, forwarder, context, partition));
        app.MapPost("/v1/partitions/{partition}/consumed", (HttpContext context, string partition) => ConsumedAsync(agent, forwarder, context, partition));
    }

    private static async Task<IResult> WriteAsync(AgentContext agent, LeaderForwarder forwarder, HttpContext context)
    {
        var key = KeyText.TryDecode(EncodedKey(context), out var keyProblem);
        if (key is null)
        {
            return AgentApi.Error(StatusCodes.Status400BadRequest, "invalid_key", keyProblem!);
        }

        var query = context.Request.Query;
        var level = agent.Options.CommitLevel;
        if (query.TryGetValue("commitLevel", out var requested))
        {
            if (!Enum.TryParse<CommitLevel>(requested.ToString(), ignoreCase: true, out var asked) || !Enum.IsDefined(asked) || int.TryParse(requested.ToString(), out _))
            {
                return AgentApi.Error(StatusCodes.Status400BadRequest, "invalid_commit_level", $"commitLevel '{Shorten(requested.ToString())}' is not known: use {CommitLevels.Accepted}");
            }

            if (asked < level)
            {
                return AgentApi.Error(StatusCodes.Status400BadRequest, "invalid_commit_level",
                    $"commitLevel {asked} is weaker than the cluster's {level}; a request may only raise it: use {level} or stronger, or omit commitLevel");
            }

            level = asked;
        }

        var (producer, sequence, producerProblem) = Producer(context.Request.Headers);
        if (producerProblem is not null)
        {
            return AgentApi.Error(StatusCodes.Status400BadRequest, "invalid_producer", producerProblem);
        }

        var maxBytes = agent.Options.MaxEventBytes;
        if (context.Request.ContentLength > maxBytes)
        {
            return TooLarge(maxBytes);
        }

        var body = await ReadBodyAsync(context.Request, maxBytes, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            return TooLarge(maxBytes);
        }

        if (agent.Assignments.Current is not { } view)
        {
            return AgentApi.NoAssignment(agent);
        }

        var partition = view.Lookup.PartitionOf(key);
        var leader = view.Assignment.LeaderOf(partition);
        if (leader is null)
        {
            return Unavailable("no_leader", $"partition {partition} has no leader right now (members are joining or leaving); retry shortly", agent.Options.RetryAfterMs);
        }

        if (leader != agent.Options.PodName)
        {
            return await RouteAsync(agent, forwarder, context, partition, leader, body).ConfigureAwait(false);
        }

        if (agent.Data is not { } data)
        {
            return Unavailable("stopping", "this agent's data plane is not running; retry shortly", agent.Options.RetryAfterMs);
        }

        var outcome = await data.WriteAsync(
            new WriteRequest(partition, Encoding.UTF8.GetBytes(key), ContentTypeOf(context.Request), body, level, producer, sequence),
            context.RequestAborted).ConfigureAwait(false);
        return outcome.Status switch
        {
            WriteStatus.Acknowledged => JsonBody.Of(
                new WriteResponse(outcome.Partition, outcome.Term, outcome.Offset, level.ToString(), outcome.Duplicate), AgentJsonContext.Default.WriteResponse),
            WriteStatus.NotLeader when outcome.Leader is { } other && other != agent.Options.PodName =>
                await RouteAsync(agent, forwarder, context, partition, other, body).ConfigureAwait(false),
            WriteStatus.NotLeader => Unavailable("no_leader", outcome.Message ?? $"partition {partition} is changing leaders; retry shortly", outcome.RetryAfterMs),
            WriteStatus.Unavailable => Unavailable("syncing", outcome.Message ?? $"partition {partition}'s leader is still syncing its log; retry shortly", outcome.RetryAfterMs),
            WriteStatus.CommitLevelCannotBeMet => Unavailable("commit_level_unavailable", outcome.Message ?? $"too many replicas of partition {partition} are down for commit level {level}; retry later or write with a weaker level if the cluster allows it", outcome.RetryAfterMs),
            WriteStatus.TimedOut => Unavailable("timed_out", outcome.Message ?? "the commit level was not met in time; the event may still be committed: retry with the same producer id and sequence to avoid a duplicate", outcome.RetryAfterMs),
            WriteStatus.NotAcknowledged => Unavailable("not_acknowledged", outcome.Message ?? "the partition's leader changed before the commit level was met; retry with the same producer id and sequence", outcome.RetryAfterMs),
            WriteStatus.Damaged => Unavailable("damaged", outcome.Message ?? $"this member's copy of partition {partition} is damaged; its data must be replaced", outcome.RetryAfterMs),
            WriteStatus.SequenceOutOfWindow => AgentApi.Error(StatusCodes.Status409Conflict, "sequence_out_of_window", outcome.Message ?? "the sequence is older than the ones the leader remembers for this producer; it cannot tell whether the original was written"),
            _ => Unavailable("stopping", outcome.Message ?? "this agent is stopping; retry on another member", outcome.RetryAfterMs),
        };
    }

    private static Task<IResult> ReadKeyAsync(AgentContext agent, LeaderForwarder forwarder, HttpContext context)
    {
        var key = KeyText.TryDecode(EncodedKey(context), out var keyProblem);
        if (key is null)
        {
            return Task.FromResult(AgentApi.Error(StatusCodes.Status400BadRequest, "invalid_key", keyProblem!));
        }

        if (agent.Assignments.Current is not { } view)
        {
            return Task.FromResult(AgentApi.NoAssignment(agent));
        }

        return ReadAsync(agent, forwarder, context, view.Lookup.PartitionOf(key), Encoding.UTF8.GetBytes(key));
    }

    private static Task<IResult> ReadPartitionAsync(AgentContext agent, LeaderForwarder forwarder, HttpContext context, string text)
    {
        var partitions = agent.Options.Partitions;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var partition) || partition >= partitions)
        {
            return Task.FromResult(AgentApi.Error(StatusCodes.Status400BadRequest, "invalid_partition",
                $"'{Shorten(text)}' is not a partition; partitions are numbered 0 to {partitions - 1}"));
        }

        return ReadAsync(agent, forwarder, context, partition, null);
    }

    private static async Task<IResult> ReadAsync(AgentContext agent, LeaderForwarder forwarder, HttpContext context, int partition, byte[]? key)
    {
        var query = context.Request.Query;
        var after = -1L;
        var fromConsumed = false;
        if (query.TryGetValue("after", out var afterText))
        {
            fromConsumed = string.Equals(afterText.ToString(), "consumed", StringComparison.Ordinal);
            if (!fromConsumed && !long.TryParse(afterText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out after))
            {
                return AgentApi.Error(StatusCodes.Status400BadRequest, "invalid_offset",
                    $"after '{Shorten(afterText.ToString())}' is not an offset: give a whole number from 0 (the events after it are returned), 'consumed' (the events the app has not consumed), or omit it to read from the start");
            }
        }

        var limit = DefaultLimit;
        if (query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit))
        {
            return AgentApi.Error(StatusCodes.Status400BadRequest, "invalid_limit", $"limit '{Shorten(limitText.ToString())}' is not valid: give a whole number from 1 to {MaxLimit}");
        }

        // Not converted in one expression: byte[] (even the null literal) becomes ReadOnlyMemory<byte>
        // through its implicit operator, so a null key would turn into an empty filter matching no event.
        ReadOnlyMemory<byte>? keyFilter = null;
        if (key is not null)
        {
            keyFilter = key;
        }

        if (agent.Data is { } data && await data.ReadAsync(partition, after, limit, keyFilter, context.RequestAborted, fromConsumed).ConfigureAwait(false) is { } read)
        {
            var events = new List<EventItem>(read.Records.Count);
            foreach (var record in read.Records)
            {
                events.Add(EventItem.From(record));
            }

            return TypedResults.Json(
                new EventsResponse(partition, agent.Options.PodName, read.CommitOffset, read.StartOffset, read.NextAfter, events, read.ConsumedOffset),
                AgentJsonContext.Default.EventsResponse);
        }

        if (agent.Assignments.Current is not { } view)
        {
            return AgentApi.NoAssignment(agent);
        }

        var leader = view.Assignment.LeaderOf(partition);
        if (leader is null || leader == agent.Options.PodName)
        {
            return Unavailable("no_leader", $"partition {partition} has no leader holding its log right now; retry shortly", agent.Options.RetryAfterMs);
        }

        return await RouteAsync(agent, forwarder, context, partition, leader, null).ConfigureAwait(false);
    }

    /// <summary>Most bytes of a consumed-offset commit body: <c>{"offset": N}</c> with room to spare.</summary>
    private const int MaxConsumedBodyBytes = 1024;

    /// <summary>
    /// <c>POST /v1/partitions/{p}/consumed</c> with <c>{"offset": N}</c>: a pulling app says it
    /// consumed every event below N. The partition's leader takes it (others forward it there or
    /// answer 421, as for writes); an offset at or below the one recorded changes nothing and is
    /// answered 200; one above the commit point is refused with 400.
    /// </summary>
    private static async Task<IResult> ConsumedAsync(AgentContext agent, LeaderForwarder forwarder, HttpContext context, string text)
    {
        var partitions = agent.Options.Partitions;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var partition) || partition >= partitions)
        {
            return AgentApi.Error(StatusCodes.Status400BadRequest, "invalid_partition",
                $"'{Shorten(text)}' is not a partition; partitions are numbered 0 to {partitions - 1}");
        }

        if (context.Request.ContentLength > MaxConsumedBodyBytes)
        {
            return AgentApi.Error(StatusCodes.Status413PayloadTooLarge, "too_large", $"the body is over {MaxConsumedBodyBytes} bytes; send only {{\"offset\": N}}");
        }

        var body = await ReadBodyAsync(context.Request, MaxConsumedBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            return AgentApi.Error(StatusCodes.Status413PayloadTooLarge, "too_large", $"the body is over {MaxConsumedBodyBytes} bytes; send only {{\"offset\": N}}");
        }

        ConsumedRequest? request;
        try
        {
            request = System.Text.Json.JsonSerializer.Deserialize(body, AgentJsonContext.Default.ConsumedRequest);
        }
        catch (System.Text.Json.JsonException)
        {
            request = null;
        }

        if (request?.Offset is not { } offset || offset < 0)
        {
            return AgentApi.Error(StatusCodes.Status400BadRequest, "invalid_offset",
                "the body must be JSON {\"offset\": N} with N a whole number from 0: every event of the partition below N was consumed (the last event's offset plus one)");
        }

        if (agent.Assignments.Current is not { } view)
        {
            return AgentApi.NoAssignment(agent);
        }

        var leader = view.Assignment.LeaderOf(partition);
        if (leader is null)
        {
            return Unavailable("no_leader", $"partition {partition} has no leader right now; retry shortly", agent.Options.RetryAfterMs);
        }

        if (leader != agent.Options.PodName)
        {
            return await RouteAsync(agent, forwarder, context, partition, leader, body).ConfigureAwait(false);
        }

        if (agent.Data is not { } data)
        {
            return Unavailable("stopping", "this agent's data plane is not running; retry shortly", agent.Options.RetryAfterMs);
        }

        var result = await data.ConsumeAsync(partition, offset, 0, context.RequestAborted).ConfigureAwait(false);
        return result.Status switch
        {
            ConsumeStatus.Advanced or ConsumeStatus.Unchanged => JsonBody.Of(
                new ConsumedResponse(partition, result.ConsumedOffset, result.CommitOffset, result.Status == ConsumeStatus.Advanced), AgentJsonContext.Default.ConsumedResponse),
            ConsumeStatus.BeyondCommit => AgentApi.Error(StatusCodes.Status400BadRequest, "offset_beyond_commit",
                $"offset {offset} is beyond partition {partition}'s commit point {result.CommitOffset}: only committed events can have been consumed; send the last consumed event's offset plus one"),
            _ when result.Leader is { } other && other != agent.Options.PodName => await RouteAsync(agent, forwarder, context, partition, other, body).ConfigureAwait(false),
            _ => Unavailable("syncing", $"partition {partition}'s leader is still syncing its log; retry shortly", agent.Options.RetryAfterMs),
        };
    }

    /// <summary>Forwards the request to <paramref name="leader"/>, or answers 421 when forwarding is not wanted or not allowed.</summary>
    private static async Task<IResult> RouteAsync(AgentContext agent, LeaderForwarder forwarder, HttpContext context, int partition, string leader, byte[]? body)
    {
        var address = agent.Ring.Current.Find(leader)?.ClientAuthority;
        var headers = context.Request.Headers;
        var forwarded = headers.ContainsKey(AgentHeaders.ForwardedBy);
        var redirect = string.Equals(headers[AgentHeaders.Redirect].ToString(), "true", StringComparison.OrdinalIgnoreCase);
        if (forwarded || redirect || address is null)
        {
            context.Response.Headers[AgentHeaders.Leader] = address is null ? leader : $"{leader} {address}";
            var why = forwarded ? "the request was already forwarded once, and this member does not lead the partition either (the members' assignments differ for a moment)"
                : redirect ? "the client asked to be told the leader"
                : "this member does not know the leader's address yet";
            return JsonBody.Of(
                new MisdirectedBody("not_leader", $"{leader} leads partition {partition}; {why}: send the request there", partition, new OwnerRef(leader, address)),
                AgentJsonContext.Default.MisdirectedBody, statusCode: StatusCodes.Status421MisdirectedRequest);
        }

        return await forwarder.ForwardAsync(context, partition, leader, address, body).ConfigureAwait(false);
    }

    private static (string? Producer, long Sequence, string? Problem) Producer(IHeaderDictionary headers)
    {
        var hasProducer = headers.TryGetValue(AgentHeaders.ProducerId, out var producerValue);
        var hasSequence = headers.TryGetValue(AgentHeaders.Sequence, out var sequenceValue);
        if (!hasProducer && !hasSequence)
        {
            return (null, -1, null);
        }

        if (!hasProducer || !hasSequence)
        {
            return (null, -1, $"{AgentHeaders.ProducerId} and {AgentHeaders.Sequence} go together: send both for an idempotent write, or neither");
        }

        var producer = producerValue.ToString();
        if (producer.Length is < 1 or > LeaderForwarder.MaxProducerIdLength || producer.Any(c => c is < '!' or > '~'))
        {
            return (null, -1, $"{AgentHeaders.ProducerId} must be 1 to {LeaderForwarder.MaxProducerIdLength} printable ASCII characters without spaces, e.g. a UUID");
        }

        if (!long.TryParse(sequenceValue.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            return (null, -1, $"{AgentHeaders.Sequence} '{Shorten(sequenceValue.ToString())}' is not a whole number from 0");
        }

        return (producer, sequence, null);
    }

    /// <summary>The body, or null when it is longer than <paramref name="maxBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var stream = request.Body;
        if (request.ContentLength is { } declared && declared <= maxBytes)
        {
            // The usual case: read straight into an array of the declared size. The server ends
            // the body there, and fails the read of a body that stops short of it.
            var body = new byte[declared];
            for (var filled = 0; filled < body.Length;)
            {
                var got = await stream.ReadAsync(body.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (got == 0)
                {
                    throw new BadHttpRequestException($"the request body ended after {filled} of the {declared} bytes its Content-Length declared", StatusCodes.Status400BadRequest);
                }

                filled += got;
            }

            return body;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await stream.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes)
            {
                return null;
            }
        }
    }

    private static string? ContentTypeOf(HttpRequest request) =>
        string.IsNullOrEmpty(request.ContentType) ? null : request.ContentType.Length > 256 ? request.ContentType[..256] : request.ContentType;

    private static IResult TooLarge(int maxBytes) =>
        AgentApi.Error(StatusCodes.Status413PayloadTooLarge, "too_large", $"the event body is over {maxBytes} bytes, the limit set by {AgentEnvironment.MaxEventBytes}: split it or raise the limit");

    private static IResult Unavailable(string error, string message, long retryAfterMs) =>
        new RetryAfter(AgentApi.Error(StatusCodes.Status503ServiceUnavailable, error, message), retryAfterMs);

    /// <summary>The still-encoded key between /v1/keys/ and /events in the raw request target.</summary>
    private static string EncodedKey(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            raw = raw[..query];
        }

        if (raw.StartsWith(KeysPrefix, StringComparison.OrdinalIgnoreCase) && raw.EndsWith(EventsSuffix, StringComparison.OrdinalIgnoreCase)
            && raw.Length >= KeysPrefix.Length + EventsSuffix.Length)
        {
            return raw[KeysPrefix.Length..^EventsSuffix.Length];
        }

        return Uri.EscapeDataString(context.Request.RouteValues["key"] as string ?? "");
    }

    private static string Shorten(string text) => text.Length > 32 ? text[..32] + "..." : text;

    /// <summary>Adds Retry-After (whole seconds, at least 1) to another result.</summary>
    private sealed class RetryAfter(IResult inner, long retryAfterMs) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = Math.Max(1, (retryAfterMs + 999) / 1000).ToString(CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
