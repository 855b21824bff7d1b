using System.Globalization;
using DataCluster.Agent.Assignments;
using DataCluster.Agent.Hosting;
using DataCluster.Agent.Membership;
using DataCluster.Ring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace DataCluster.Agent.Http;

/// <summary>
/// The agent's client API on its app port (DESIGN section 7): routing information, this
/// agent's assignment and its stream of changes, health, readiness and metrics. Every error is
/// JSON <c>{error, message}</c>; bad input is a 400, never a 500.
/// </summary>
public static class AgentApi
{
    /// <summary>Seconds a client should wait before asking again while no assignment is loaded.</summary>
    private const string RetryAfterSeconds = "1";

    private const string OwnersPrefix = "/v1/owners/";

    /// <summary>Maps every route onto <paramref name="app"/>.</summary>
    public static void Map(IEndpointRouteBuilder app, AgentContext agent)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(agent);
        app.MapGet("/healthz", () => JsonBody.Of(new HealthResponse("ok"), AgentJsonContext.Default.HealthResponse));
        app.MapGet("/readyz", () => Ready(agent));
        // The exporter maps every method; other methods than GET get the fallback's 405.
        app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(new HttpMethodMetadata([HttpMethods.Get]));
        app.MapGet("/v1/ring", () => Ring(agent));
        app.MapGet("/v1/leader", () => JsonBody.Of(
            new LeaderResponse(agent.Leadership.CurrentLeader, agent.Options.PodName, agent.Leadership.IsLeader, agent.Leadership.LeaseTransitions),
            AgentJsonContext.Default.LeaderResponse));
        app.MapGet("/v1/assignments", () => Assignments(agent));
        app.MapGet("/v1/owners/{**key}", (HttpContext context) => Owners(agent, context));
        app.MapGet("/v1/partitions/{partition}/owners", (string partition) => PartitionOwners(agent, partition));
        app.MapGet("/v1/assignments/watch", (HttpContext context) => AssignmentStream.RunAsync(agent, context));
        app.MapFallback((HttpContext context) => Fallback(context));
    }

    /// <summary>405 for a known path with another method than GET, else 404.</summary>
    private static IResult Fallback(HttpContext context)
    {
        // The events routes never match an empty key segment; say what is wrong rather than 404.
        if (string.Equals(context.Request.Path.Value, "/v1/keys//events", StringComparison.OrdinalIgnoreCase))
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_key", $"the key is empty; use /v1/keys/{{key}}/events with a non-empty, percent-encoded key of at most {KeyText.MaxKeyBytes} bytes of UTF-8");
        }

        if (!HttpMethods.IsGet(context.Request.Method) && IsKnownPath(context.Request.Path.Value ?? ""))
        {
            context.Response.Headers.Allow = "GET";
            return Error(StatusCodes.Status405MethodNotAllowed, "method_not_allowed", $"{context.Request.Path} only answers GET");
        }

        return Error(StatusCodes.Status404NotFound, "not_found", "no such route; see GET /v1/ring, /v1/owners/{key}, /v1/partitions/{p}/owners, /v1/leader, /v1/assignments, /v1/assignments/watch, /healthz, /readyz, /metrics");
    }

    private static bool IsKnownPath(string path)
    {
        var segments = path.Trim('/').Split('/');
        return path.ToLowerInvariant() switch
        {
            "/healthz" or "/readyz" or "/metrics" or "/v1/ring" or "/v1/leader" or "/v1/assignments" or "/v1/assignments/watch" => true,
            var p when p.StartsWith(OwnersPrefix, StringComparison.Ordinal) => true,
            _ => segments is ["v1", "partitions", _, "owners"],
        };
    }

    /// <summary>A JSON error with the given status.</summary>
    public static IResult Error(int status, string error, string message) =>
        JsonBody.Of(new ErrorBody(error, message), AgentJsonContext.Default.ErrorBody, statusCode: status);

    private static IResult Ready(AgentContext agent)
    {
        var epoch = agent.Assignments.Current?.Assignment.Epoch ?? 0;
        // Ready means "can serve its partitions": the data plane runs and an assignment is loaded.
        // Reaching the API server is not part of it (an outage there must not take every member
        // out of its Service at once), so the member Lease is not consulted.
        string? reason = agent.Stopping ? "the agent is stopping"
            : agent.Data is { IsRunning: false } ? "the data plane is not running (its partition logs are being opened, or failed: see the log)"
            : agent.Assignments.Current is null ? "no assignment loaded yet" + (agent.Assignments.Problem is { } p ? $": {p}" : "")
            : null;
        return JsonBody.Of(new ReadyResponse(reason is null, reason, epoch), AgentJsonContext.Default.ReadyResponse,
            statusCode: reason is null ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    internal static IResult NoAssignment(AgentContext agent) =>
        new RetryAfterResult(Error(StatusCodes.Status503ServiceUnavailable, "no_assignment",
            "no partition assignment is loaded yet; the cluster leader publishes one once members have heartbeats" +
            (agent.Assignments.Problem is { } problem ? $" ({problem})" : "")));

    private static IResult Ring(AgentContext agent)
    {
        if (agent.Assignments.Current is not { } view)
        {
            return NoAssignment(agent);
        }

        var assignment = view.Assignment;
        var ring = agent.Ring.Current;
        var ids = new SortedSet<string>(assignment.Members, StringComparer.Ordinal);
        ids.UnionWith(ring.Endpoints.Select(e => e.Id));
        var members = ids
            .Select(id =>
            {
                var endpoint = ring.Find(id);
                var replicas = assignment.ReplicaCountOf(id);
                var state = endpoint is null ? "absent"
                    : endpoint.Draining ? "draining"
                    : replicas == 0 ? "standby"
                    : "active";
                return new RingMemberInfo(
                    id,
                    endpoint?.Ordinal ?? Contracts.ObjectNames.OrdinalOf(agent.Options.ClusterName, id),
                    endpoint?.ClientAuthority,
                    endpoint?.Zone ?? "",
                    endpoint?.Region ?? "",
                    state,
                    replicas,
                    assignment.LeaderCountOf(id));
            })
            .OrderBy(m => m.Ordinal)
            .ThenBy(m => m.Id, StringComparer.Ordinal)
            .ToList();
        return JsonBody.Of(
            new RingResponse(assignment.Epoch, view.MembershipEpoch ?? ring.MembershipEpoch, assignment.Partitions, assignment.ReplicationFactor, members, agent.Leadership.CurrentLeader),
            AgentJsonContext.Default.RingResponse);
    }

    private static IResult Assignments(AgentContext agent)
    {
        if (agent.Assignments.Current is not { } view)
        {
            return NoAssignment(agent);
        }

        var self = agent.Options.PodName;
        var assignment = view.Assignment;
        var held = new List<int>();
        var led = new List<int>();
        for (var p = 0; p < assignment.Partitions; p++)
        {
            if (assignment.ReplicasOf(p).Contains(self))
            {
                held.Add(p);
            }

            if (assignment.LeaderOf(p) == self)
            {
                led.Add(p);
            }
        }

        var partitions = (agent.Data?.Statuses ?? [])
            .Select(s => new PartitionStateResponse(s.Partition, s.Role.ToString().ToLowerInvariant(), s.Term, s.LogEnd, s.CommitOffset, s.ConsumedOffset, Math.Max(0, s.CommitOffset - s.ConsumedOffset),
                [.. s.Followers.Where(f => f.StandsInFor is not null).Select(f => new SubstituteResponse(f.Member, f.StandsInFor!, f.MatchedOffset))]))
            .ToList();
        return JsonBody.Of(new AssignmentsResponse(self, assignment.Epoch, held, led, partitions), AgentJsonContext.Default.AssignmentsResponse);
    }

    private static IResult Owners(AgentContext agent, HttpContext context)
    {
        var encoded = EncodedKey(context);
        var key = KeyText.TryDecode(encoded, out var problem);
        if (key is null)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_key", problem!);
        }

        if (agent.Assignments.Current is not { } view)
        {
            return NoAssignment(agent);
        }

        var partition = view.Lookup.PartitionOf(key);
        var (leader, replicas) = OwnersOf(view.Assignment, partition, agent.Ring.Current);
        return JsonBody.Of(new OwnersResponse(key, partition, view.Assignment.Epoch, leader, replicas), AgentJsonContext.Default.OwnersResponse);
    }

    private static IResult PartitionOwners(AgentContext agent, string text)
    {
        var partitions = agent.Options.Partitions;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var partition) || partition >= partitions)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_partition",
                $"'{Shorten(text)}' is not a partition; partitions are numbered 0 to {partitions - 1}");
        }

        if (agent.Assignments.Current is not { } view)
        {
            return NoAssignment(agent);
        }

        var (leader, replicas) = OwnersOf(view.Assignment, partition, agent.Ring.Current);
        return JsonBody.Of(new PartitionOwnersResponse(partition, view.Assignment.Epoch, leader, replicas), AgentJsonContext.Default.PartitionOwnersResponse);
    }

    private static (OwnerRef? Leader, List<OwnerRef> Replicas) OwnersOf(Assignment assignment, int partition, RingSnapshot ring)
    {
        var replicas = new List<OwnerRef>();
        foreach (var id in assignment.ReplicasOf(partition))
        {
            replicas.Add(new OwnerRef(id, ring.Find(id)?.ClientAuthority));
        }

        var leaderId = assignment.LeaderOf(partition);
        return (leaderId is null ? null : replicas.First(r => r.Id == leaderId), replicas);
    }

    /// <summary>The still-encoded key: the raw request target after /v1/owners/, without the query.</summary>
    private static string EncodedKey(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            raw = raw[..query];
        }

        if (raw.StartsWith(OwnersPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return raw[OwnersPrefix.Length..];
        }

        // Absolute-form or dot segments: fall back to the route value, re-encoding what the
        // server decoded so the decoder sees it once.
        return Uri.EscapeDataString(context.Request.RouteValues["key"] as string ?? "").Replace("%252F", "%2F", StringComparison.OrdinalIgnoreCase);
    }

    private static string Shorten(string text) => text.Length > 32 ? text[..32] + "..." : text;

    /// <summary>Adds Retry-After to another result.</summary>
    private sealed class RetryAfterResult(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
