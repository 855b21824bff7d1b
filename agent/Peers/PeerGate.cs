using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Peers;

/// <summary>Marks a connection accepted on the peer port (set by the endpoint's connection middleware).</summary>
internal sealed class PeerConnectionFeature
{
    public static readonly PeerConnectionFeature Instance = new();
}

/// <summary>Marks the endpoints of the peer protocol (they answer on the peer port only).</summary>
internal sealed class PeerEndpointMetadata
{
    public static readonly PeerEndpointMetadata Instance = new();
}

/// <summary>
/// Keeps the two ports apart and guards the peer port. Runs first, right after routing:
/// <list type="bullet">
/// <item>On the peer port, a request without <c>Authorization: Bearer TOKEN</c> or with another
/// token is answered 401 before anything else sees it (plain HTTP, so any client understands
/// it; a sender reports it as a refused stream), logged and counted. An authenticated request
/// for anything but the peer protocol is answered 404.</item>
/// <item>On the client port, the peer protocol does not exist: its routes fall through to the
/// client API's 404.</item>
/// </list>
/// </summary>
/// <remarks>Stateless per request and thread-safe.</remarks>
internal sealed class PeerGate(RequestDelegate next, StreamPeerTransport transport, ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger("DataCluster.Agent.Peers");

    public Task InvokeAsync(HttpContext context)
    {
        var isPeerEndpoint = context.GetEndpoint()?.Metadata.GetMetadata<PeerEndpointMetadata>() is not null;
        if (context.Features.Get<PeerConnectionFeature>() is null)
        {
            if (isPeerEndpoint)
            {
                context.SetEndpoint(null);
            }

            return next(context);
        }

        var authorization = context.Request.Headers.Authorization;
        if (authorization.Count != 1 || !transport.Token.Matches(authorization[0]))
        {
            var reason = authorization.Count == 0 ? RejectReasons.MissingToken : RejectReasons.WrongToken;
            transport.Metrics.Rejected.Inc(reason);
            PeerLog.Unauthorized(_logger, Remote(context), context.Request.Path.Value ?? "", reason == RejectReasons.MissingToken ? "no bearer token" : "a wrong bearer token");
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = PeerToken.Scheme;
            return Task.CompletedTask;
        }

        if (!isPeerEndpoint)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        return next(context);
    }

    private static string Remote(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } ip ? $"{ip}:{context.Connection.RemotePort}" : "(unknown)";
}
