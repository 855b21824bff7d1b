using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DataCluster.Contracts;

namespace DataCluster.LocalCluster;

/// <summary>
/// Writes and reads events through an agent's client API (POST /v1/keys/{key}/events, GET
/// /v1/partitions/{p}/events) at its pod address, as an app would. Unlike
/// <see cref="AgentApiClient"/> it reports refusals (status and reason) instead of hiding them,
/// because a test counts them. Thread-safe.
/// </summary>
public sealed class AgentEventsClient : IDisposable
{
    private readonly HttpClient _http;

    /// <param name="timeout">Per request; above the agent's write timeout (10 s by default), so the agent's answer arrives first.</param>
    public AgentEventsClient(TimeSpan? timeout = null) =>
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30), MaxConnectionsPerServer = 64 })
        {
            Timeout = timeout ?? TimeSpan.FromSeconds(20),
        };

    /// <summary>
    /// Writes <paramref name="body"/> as an event of <paramref name="key"/> at
    /// <paramref name="commitLevel"/> (the cluster's when null). Never throws for a refusal or an
    /// unreachable agent: the answer says what happened.
    /// </summary>
    /// <param name="producer">A producer id and sequence number, which make a retry of the same write idempotent.</param>
    public async Task<AgentWrite> WriteAsync(
        string address, string key, string body, string? commitLevel = null, (string Id, long Sequence)? producer = null, CancellationToken cancellationToken = default)
    {
        var path = "/v1/keys/" + Uri.EscapeDataString(key) + "/events" + (commitLevel is null ? "" : "?commitLevel=" + commitLevel);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Url(address, path))
            {
                Content = new StringContent(body, Encoding.UTF8, "text/plain"),
            };
            if (producer is { } p)
            {
                request.Headers.Add(AgentHeaders.ProducerId, p.Id);
                request.Headers.Add(AgentHeaders.Sequence, p.Sequence.ToString(CultureInfo.InvariantCulture));
            }

            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var answer = JsonSerializer.Deserialize(text, AgentApiJsonContext.Default.AgentWriteAnswer);
                return new AgentWrite(200, answer, null);
            }

            return new AgentWrite((int)response.StatusCode, null, Reason(text));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new AgentWrite(0, null, e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>
    /// Every committed event of <paramref name="partition"/> in the copy held by the agent at
    /// <paramref name="address"/>, in offset order, paging until the end; null when that agent
    /// cannot answer from its own copy (it does not hold the partition, or is unreachable).
    /// </summary>
    public async Task<AgentEventPage?> ReadAllAsync(string address, int partition, CancellationToken cancellationToken = default)
    {
        var events = new List<AgentEvent>();
        var after = -1L;
        while (true)
        {
            var query = after < 0 ? "?limit=1000" : $"?after={after.ToString(CultureInfo.InvariantCulture)}&limit=1000";
            var path = $"/v1/partitions/{partition.ToString(CultureInfo.InvariantCulture)}/events{query}";
            AgentEventPage? page;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, Url(address, path));
                request.Headers.Add(AgentHeaders.Redirect, "true");
                using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return null;
                }

                page = await response.Content.ReadFromJsonAsync(AgentApiJsonContext.Default.AgentEventPage, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or JsonException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return null;
            }

            if (page is null)
            {
                return null;
            }

            events.AddRange(page.Events);
            if (page.Events.Count == 0 || page.NextAfter <= after)
            {
                return page with { Events = events };
            }

            after = page.NextAfter;
        }
    }

    /// <summary>
    /// The committed events of <paramref name="key"/> in order (the first 1000), as the agent at
    /// <paramref name="address"/> serves them (from its own copy, or forwarded to the partition's
    /// leader); null when no answer came.
    /// </summary>
    public async Task<AgentEventPage?> ReadKeyAsync(string address, string key, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await _http.GetAsync(Url(address, "/v1/keys/" + Uri.EscapeDataString(key) + "/events?limit=1000"), cancellationToken).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK
                ? await response.Content.ReadFromJsonAsync(AgentApiJsonContext.Default.AgentEventPage, cancellationToken).ConfigureAwait(false)
                : null;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();

    private static Uri Url(string address, string path) =>
        new($"http://{address}:{AgentPorts.Client.ToString(CultureInfo.InvariantCulture)}{path}");

    private static string Reason(string text)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            return json.RootElement.TryGetProperty("error", out var error) ? error.GetString() ?? text : text;
        }
        catch (JsonException)
        {
            return text.Length > 200 ? text[..200] : text;
        }
    }
}
