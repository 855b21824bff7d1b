using System.Diagnostics;
using System.Globalization;
using DataCluster.Agent.Observability;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Http;

/// <summary>
/// Middleware around every request: counts it by route template and status code, traces it as
/// a span of the agent's ActivitySource, and turns an unexpected exception into a JSON 500 (a
/// bug, never a reaction to input) instead of a dropped connection.
/// </summary>
public sealed class RequestObservation(RequestDelegate next, AgentMetrics metrics, ILogger logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var span = AgentTracing.Source.StartActivity($"HTTP {context.Request.Method}", ActivityKind.Server);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            AgentLog.RequestFailed(logger, e, context.Request.Method, context.Request.Path.Value ?? "");
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await AgentApi.Error(StatusCodes.Status500InternalServerError, "internal", "the agent failed to answer; see its log").ExecuteAsync(context).ConfigureAwait(false);
            }
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
            if (route is null || route.StartsWith("{*", StringComparison.Ordinal))
            {
                route = "unmatched";
            }

            var code = context.Response.StatusCode.ToString(CultureInfo.InvariantCulture);
            metrics.HttpRequests.Inc(route, code);
            span?.SetTag("http.route", route);
            span?.SetTag("http.response.status_code", context.Response.StatusCode);
        }
    }
}
