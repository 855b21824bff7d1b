using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using DataCluster.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataCluster.Client.Tests.Support;

/// <summary>
/// One scripted agent: a Kestrel server on a loopback port serving the agent API routes the
/// client uses, from its <see cref="FakeCluster"/>'s picture, unless a test scripts its writes.
/// Every request is recorded.
/// </summary>
internal sealed class FakeAgent : IAsyncDisposable
{
    private static readonly long Epoch0 = Stopwatch.GetTimestamp();
    private readonly ConcurrentDictionary<Channel<string>, bool> _streams = new();
    private readonly FakeCluster _cluster;
    private WebApplication _app = null!;
    private int _writes;
    private int _commits;
    private int _stopped;

    private FakeAgent(FakeCluster cluster, string id)
    {
        _cluster = cluster;
        Id = id;
    }

    public string Id { get; }

    /// <summary>host:port, as the ring lists a member's client address.</summary>
    public string Authority { get; private set; } = "";

    public Uri Address => new($"http://{Authority}/");

    public RequestLog Requests { get; } = new();

    /// <summary>The offsets of the consumed-offset commits this agent took as leader, in arrival order.</summary>
    public ConcurrentQueue<long> CommittedOffsets { get; } = new();

    /// <summary>
    /// Answers a write instead of the default when it returns true; gets the number of this
    /// agent's writes so far, this one included (1 for the first).
    /// </summary>
    public Func<HttpContext, int, Task<bool>>? WriteScript { get; set; }

    /// <summary>
    /// Answers a consumed-offset commit instead of the default when it returns true; gets the
    /// number of this agent's commits so far, this one included.
    /// </summary>
    public Func<HttpContext, int, Task<bool>>? CommitScript { get; set; }

    /// <summary>Reads answered 503 with Retry-After, as while a partition has no leader, until it counts down to 0.</summary>
    public int UnavailableReads;

    /// <summary>Reads answered as a follower whose commit point trails by one event, until it counts down to 0.</summary>
    public int StaleReads;

    /// <summary>When false, <c>GET /v1/assignments/watch</c> answers 404, as a proxy that strips it would.</summary>
    public bool ServesStream { get; set; } = true;

    public static TimeSpan Now => Stopwatch.GetElapsedTime(Epoch0);

    public static async Task<FakeAgent> StartAsync(FakeCluster cluster, string id)
    {
        var agent = new FakeAgent(cluster, id);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            agent.Record(context);
            await next(context);
        });
        app.MapGet("/v1/ring", agent.Ring);
        app.MapGet("/v1/assignments", agent.Assignments);
        app.MapGet("/v1/assignments/watch", agent.WatchAsync);
        app.MapPost("/v1/keys/{key}/events", agent.WriteAsync);
        app.MapGet("/v1/keys/{key}/events", (HttpContext c, string key) => agent.Read(c, cluster.PartitionOf(key), key));
        app.MapGet("/v1/partitions/{partition:int}/events", (HttpContext c, int partition) => agent.Read(c, partition, null));
        app.MapPost("/v1/partitions/{partition:int}/consumed", agent.CommitAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        agent.Authority = new Uri(address).Authority;
        agent._app = app;
        return agent;
    }

    /// <summary>Sends an assignment event to every open stream of this agent.</summary>
    public void Publish(string type, long epoch, IReadOnlyList<int> partitions)
    {
        var text = Event(type, epoch, partitions);
        foreach (var channel in _streams.Keys)
        {
            channel.Writer.TryWrite(text);
        }
    }

    /// <summary>
    /// Breaks every open stream's connection, as a restarting agent would: each stream gets no
    /// more events, and its request aborts its own connection, since only the request may touch
    /// its context while it runs.
    /// </summary>
    public void DropStreams()
    {
        foreach (var channel in _streams.Keys)
        {
            channel.Writer.TryComplete();
        }
    }

    public int OpenStreams => _streams.Count;

    /// <summary>Stops serving, as a member that died: its port refuses connections from now on.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        DropStreams();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private void Record(HttpContext context)
    {
        var headers = context.Request.Headers;
        long? sequence = long.TryParse(headers[AgentHeaders.Sequence].ToString(), CultureInfo.InvariantCulture, out var s) ? s : null;
        Requests.Add(new Received(
            Id,
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            headers.TryGetValue(AgentHeaders.ProducerId, out var producer) ? producer.ToString() : null,
            sequence,
            headers[AgentHeaders.Redirect] == "true",
            Now));
    }

    private IResult Ring() => Results.Json(new
    {
        epoch = _cluster.Epoch,
        membershipEpoch = 1,
        partitions = _cluster.Partitions,
        replicationFactor = 1,
        members = _cluster.Agents.Select((a, i) => new { id = a.Id, ordinal = i, address = a.Authority, zone = "", region = "", state = "active", replicas = 1, leads = 1 }),
        leader = _cluster.Agents[0].Id,
    });

    private IResult Assignments()
    {
        var leads = _cluster.LedBy(this);
        return Results.Json(new { member = Id, epoch = _cluster.Epoch, replicas = leads, leads });
    }

    private async Task WatchAsync(HttpContext context)
    {
        if (!ServesStream)
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsJsonAsync(new { error = "not_found", message = "no such route" });
            return;
        }

        var channel = Channel.CreateUnbounded<string>();
        _streams[channel] = true;
        try
        {
            context.Response.ContentType = "text/event-stream";
            var leads = _cluster.LedBy(this);
            var start = ": current state\n\n" + Event("assigned", _cluster.Epoch, leads) + (leads.Count > 0 ? Event("leader-gained", _cluster.Epoch, leads) : "");
            await context.Response.WriteAsync(start, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await foreach (var text in channel.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.WriteAsync(text, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }

            // Only DropStreams completes the channel.
            context.Abort();
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _streams.TryRemove(channel, out _);
        }
    }

    private async Task WriteAsync(HttpContext context, string key)
    {
        var attempt = Interlocked.Increment(ref _writes);
        if (WriteScript is { } script && await script(context, attempt))
        {
            return;
        }

        var partition = _cluster.PartitionOf(key);
        var leader = _cluster.LeaderOf(partition);
        if (leader != this)
        {
            context.Response.StatusCode = 421;
            context.Response.Headers[AgentHeaders.Leader] = $"{leader!.Id} {leader.Authority}";
            await context.Response.WriteAsJsonAsync(new { error = "not_leader", message = $"{leader.Id} leads partition {partition}", partition, leader = new { id = leader.Id, address = leader.Authority } });
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var headers = context.Request.Headers;
        string? producer = headers.TryGetValue(AgentHeaders.ProducerId, out var p) ? p.ToString() : null;
        var sequence = long.TryParse(headers[AgentHeaders.Sequence].ToString(), CultureInfo.InvariantCulture, out var s) ? s : -1;
        var (stored, duplicate) = _cluster.Write(partition, key, body.ToArray(), context.Request.ContentType, producer, sequence);
        var level = context.Request.Query["commitLevel"].ToString() is { Length: > 0 } asked ? asked : "Quorum";
        await context.Response.WriteAsJsonAsync(new { partition, epoch = stored.Epoch, offset = stored.Offset, commitLevel = level, duplicate });
    }

    private IResult Read(HttpContext context, int partition, string? key)
    {
        if (_cluster.ReadsAtLeaderOnly && context.Request.Headers[AgentHeaders.Redirect] == "true" && _cluster.LeaderOf(partition) is { } leader && leader != this)
        {
            context.Response.Headers[AgentHeaders.Leader] = $"{leader.Id} {leader.Authority}";
            return Results.Json(new { error = "not_leader", message = $"{leader.Id} leads partition {partition}", partition, leader = new { id = leader.Id, address = leader.Authority } }, statusCode: 421);
        }

        if (Interlocked.Decrement(ref UnavailableReads) >= 0)
        {
            context.Response.Headers.RetryAfter = "1";
            return Results.Json(new { error = "no_leader", message = $"partition {partition} has no leader right now; retry shortly" }, statusCode: 503);
        }

        var query = context.Request.Query;
        var after = !query.TryGetValue("after", out var a) ? -1
            : a.ToString() == "consumed" ? _cluster.Consumed(partition) - 1
            : long.Parse(a.ToString(), CultureInfo.InvariantCulture);
        var limit = query.TryGetValue("limit", out var l) ? int.Parse(l.ToString(), CultureInfo.InvariantCulture) : 100;
        var log = _cluster.Log(partition);
        if (Interlocked.Decrement(ref StaleReads) >= 0 && log.Count > 0)
        {
            log = [.. log.Take(log.Count - 1)];
        }

        var events = new List<object>();
        var next = after;
        var scanned = 0;
        foreach (var stored in log.Where(e => e.Offset > after))
        {
            if (events.Count >= limit || (key is not null && scanned >= _cluster.KeyScanLimit))
            {
                break;
            }

            scanned++;
            next = stored.Offset;
            if (key is null || stored.Key == key)
            {
                events.Add(new { offset = stored.Offset, epoch = stored.Epoch, key = stored.Key, timestamp = stored.Timestamp, contentType = stored.ContentType, body = stored.Body });
            }
        }

        return Results.Json(new { partition, member = Id, commitOffset = log.Count, startOffset = 0, nextAfter = next, events, consumedOffset = _cluster.Consumed(partition) });
    }

    private async Task CommitAsync(HttpContext context, int partition)
    {
        var attempt = Interlocked.Increment(ref _commits);
        if (CommitScript is { } script && await script(context, attempt))
        {
            return;
        }

        var leader = _cluster.LeaderOf(partition);
        if (leader != this)
        {
            context.Response.StatusCode = 421;
            context.Response.Headers[AgentHeaders.Leader] = $"{leader!.Id} {leader.Authority}";
            await context.Response.WriteAsJsonAsync(new { error = "not_leader", message = $"{leader.Id} leads partition {partition}", partition, leader = new { id = leader.Id, address = leader.Authority } });
            return;
        }

        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var offset = body.RootElement.GetProperty("offset").GetInt64();
        CommittedOffsets.Enqueue(offset);
        if (_cluster.Consume(partition, offset) is not { } consumed)
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsJsonAsync(new { error = "offset_beyond_commit", message = $"offset {offset} is beyond partition {partition}'s commit point" });
            return;
        }

        await context.Response.WriteAsJsonAsync(new { partition, consumedOffset = consumed, commitOffset = _cluster.Log(partition).Count, advanced = consumed == offset });
    }

    private static string Event(string type, long epoch, IReadOnlyList<int> partitions) =>
        $"id: {epoch}\nevent: {type}\ndata: {JsonSerializer.Serialize(new { epoch, partitions })}\n\n";
}
