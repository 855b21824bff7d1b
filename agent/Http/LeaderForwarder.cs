using System.Net;
using DataCluster.Agent.DataPlane;
using DataCluster.Agent.Hosting;
using DataCluster.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Http;

/// <summary>
/// Sends a request this member cannot serve to the partition's leader, once, and relays its
/// answer: status, body, content type and Retry-After. The forwarded request names this member
/// in <see cref="AgentHeaders.ForwardedBy"/>, so the leader never forwards it again.
/// </summary>
/// <remarks>Thread-safe; connections to each leader are pooled and reused.</remarks>
public sealed class LeaderForwarder : IDisposable
{
    /// <summary>The longest producer id accepted; ids are UUIDs or similar, far shorter.</summary>
    public const int MaxProducerIdLength = 128;

    private static readonly string[] ForwardedRequestHeaders = [AgentHeaders.ProducerId, AgentHeaders.Sequence, "traceparent", "tracestate"];

    private readonly HttpClient _http;
    private readonly AgentContext _agent;
    private readonly ILogger _logger;

    /// <param name="agent">This member.</param>
    /// <param name="timeout">How long to wait for the leader: a little above its write timeout, so its own answer arrives first.</param>
    /// <param name="logger">For failed hops.</param>
    public LeaderForwarder(AgentContext agent, TimeSpan timeout, ILogger logger)
    {
        _agent = agent ?? throw new ArgumentNullException(nameof(agent));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _http = new HttpClient(new SocketsHttpHandler
        {
            // Connections to a leader live as long as it leads; a minute bounds how long a pool
            // keeps talking to an address that has moved to another pod.
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
        })
        {
            Timeout = timeout,
        };
    }

    /// <summary>Forwards the current request to <paramref name="leader"/> at <paramref name="address"/> and relays the answer.</summary>
    /// <param name="body">The request body already read (writes), or null (reads).</param>
    public async Task<IResult> ForwardAsync(HttpContext context, int partition, string leader, string address, byte[]? body)
    {
        ArgumentNullException.ThrowIfNull(context);
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (context.Request.Path + context.Request.QueryString);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri($"http://{address}{target}"));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            if (!string.IsNullOrEmpty(context.Request.ContentType))
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", context.Request.ContentType);
            }
        }

        foreach (var name in ForwardedRequestHeaders)
        {
            if (context.Request.Headers.TryGetValue(name, out var value))
            {
                request.Headers.TryAddWithoutValidation(name, value.ToString());
            }
        }

        request.Headers.TryAddWithoutValidation(AgentHeaders.ForwardedBy, _agent.Options.PodName);
        if (body is not null && context.Request.Path.StartsWithSegments("/v1/keys", StringComparison.OrdinalIgnoreCase))
        {
            _agent.Data?.Metrics.WriteForwarded();
        }

        try
        {
            using var response = await _http.SendAsync(request, context.RequestAborted).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(context.RequestAborted).ConfigureAwait(false);
            var contentType = response.Content.Headers.ContentType?.ToString() ?? "application/json";
            var retryAfter = response.Headers.RetryAfter?.Delta;
            var leaderHeader = response.Headers.TryGetValues(AgentHeaders.Leader, out var values) ? values.FirstOrDefault() : null;
            return new Relayed((int)response.StatusCode, contentType, bytes, retryAfter, leaderHeader);
        }
        catch (Exception e) when ((e is HttpRequestException or TaskCanceledException) && !context.RequestAborted.IsCancellationRequested)
        {
            DataPlaneLog.ForwardFailed(_logger, partition, leader, e.Message);
            context.Response.Headers.RetryAfter = "1";
            return AgentApi.Error(StatusCodes.Status503ServiceUnavailable, "leader_unreachable",
                $"partition {partition}'s leader {leader} at {address} did not answer ({e.GetType().Name}); the cluster moves its partitions if it stays down: retry shortly");
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    /// <summary>The leader's answer, written back as it came.</summary>
    private sealed class Relayed(int status, string contentType, byte[] body, TimeSpan? retryAfter, string? leader) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            response.ContentType = contentType;
            if (retryAfter is { } delay)
            {
                response.Headers.RetryAfter = ((long)Math.Ceiling(delay.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if (leader is not null)
            {
                response.Headers[AgentHeaders.Leader] = leader;
            }

            response.ContentLength = body.Length;
            return response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask();
        }
    }
}
