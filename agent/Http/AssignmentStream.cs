using System.Globalization;
using System.Text;
using System.Text.Json;
using DataCluster.Agent.Assignments;
using DataCluster.Agent.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DataCluster.Agent.Http;

/// <summary>
/// <c>GET /v1/assignments/watch</c>: this agent's assignment changes as server-sent events.
/// </summary>
/// <remarks>
/// <para>
/// The stream begins with the current state as events from the empty snapshot (an assigned
/// event, possibly with no partitions, then leader-gained when the agent leads anything), then
/// carries every change as it is loaded. Each event is
/// <c>id: EPOCH</c>, <c>event: TYPE</c>, <c>data: {"epoch":E,"partitions":[...]}</c>; within an
/// epoch the order is leader-lost, revoked, assigned, leader-gained. Before the first assignment
/// the stream only says so in a comment and waits.
/// </para>
/// <para>
/// A comment line every <see cref="AgentContext.StreamKeepAlive"/> keeps proxies from closing
/// an idle stream. A subscriber that falls behind is sent a final comment and disconnected (see
/// <see cref="AssignmentSubscription"/>); it reconnects and gets the current state again. The
/// stream ends when the client goes away or the agent stops.
/// </para>
/// </remarks>
public static class AssignmentStream
{
    public const string ContentType = "text/event-stream";

    /// <summary>Serves one subscriber until it disconnects, falls behind or the agent stops.</summary>
    public static async Task RunAsync(AgentContext agent, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(context);
        var stopping = context.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var response = context.Response;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        // nginx buffers responses unless told not to; a buffered event stream is useless.
        response.Headers["X-Accel-Buffering"] = "no";

        using var subscription = agent.Assignments.Subscribe();
        var reader = subscription.Events;
        try
        {
            if (agent.Assignments.Current is null)
            {
                await response.WriteAsync(": no assignment loaded yet; events follow once one is\n\n", done.Token).ConfigureAwait(false);
            }
            else
            {
                await response.WriteAsync(": current state\n\n", done.Token).ConfigureAwait(false);
            }

            await response.Body.FlushAsync(done.Token).ConfigureAwait(false);
            while (true)
            {
                var buffer = new StringBuilder();
                while (reader.TryRead(out var next))
                {
                    Format(buffer, next);
                }

                if (buffer.Length > 0)
                {
                    await response.WriteAsync(buffer.ToString(), done.Token).ConfigureAwait(false);
                    await response.Body.FlushAsync(done.Token).ConfigureAwait(false);
                }

                if (reader.Completion.IsCompleted)
                {
                    if (subscription.Overflowed)
                    {
                        await response.WriteAsync(": disconnected: this client fell behind; reconnect to get the current state\n\n", done.Token).ConfigureAwait(false);
                    }

                    return;
                }

                using var wait = CancellationTokenSource.CreateLinkedTokenSource(done.Token);
                wait.CancelAfter(agent.StreamKeepAlive);
                try
                {
                    await reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!done.IsCancellationRequested)
                {
                    await response.WriteAsync(": keep-alive\n\n", done.Token).ConfigureAwait(false);
                    await response.Body.FlushAsync(done.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (done.IsCancellationRequested)
        {
            // The client went away or the agent is stopping: the stream simply ends.
        }
    }

    /// <summary>Appends one event in the text/event-stream format.</summary>
    public static void Format(StringBuilder buffer, AssignmentEvent e)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentNullException.ThrowIfNull(e);
        buffer.Append("id: ").Append(e.Epoch.ToString(CultureInfo.InvariantCulture)).Append('\n');
        buffer.Append("event: ").Append(e.Type).Append('\n');
        buffer.Append("data: ").Append(JsonSerializer.Serialize(new AssignmentEventData(e.Epoch, e.Partitions), AgentJsonContext.Default.AssignmentEventData)).Append("\n\n");
    }
}
