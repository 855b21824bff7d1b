using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DataCluster.Contracts;

namespace DataCluster.LocalCluster;

/// <summary>
/// Reads an agent's client API (GET /v1/ring, /v1/owners/{key}, /v1/leader, /readyz) at its pod
/// address. Every call answers null when the agent cannot answer (not listening, stopping, no
/// assignment yet, a timeout), because callers poll until the answer they wait for arrives.
/// Thread-safe.
/// </summary>
public sealed class AgentApiClient : IDisposable
{
    /// <summary>Generous for a local call; a slower answer on two busy cores is still an answer.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) }) { Timeout = RequestTimeout };

    public Task<AgentRing?> RingAsync(string address, CancellationToken cancellationToken = default) =>
        GetAsync(address, "/v1/ring", AgentApiJsonContext.Default.AgentRing, cancellationToken);

    /// <summary>The owners of <paramref name="key"/> (percent-encoded on the way).</summary>
    public Task<AgentOwners?> OwnersAsync(string address, string key, CancellationToken cancellationToken = default) =>
        GetAsync(address, "/v1/owners/" + Uri.EscapeDataString(key), AgentApiJsonContext.Default.AgentOwners, cancellationToken);

    public Task<AgentLeader?> LeaderAsync(string address, CancellationToken cancellationToken = default) =>
        GetAsync(address, "/v1/leader", AgentApiJsonContext.Default.AgentLeader, cancellationToken);

    /// <summary>The readiness answer, including the reason when not ready (503).</summary>
    public async Task<AgentReadiness?> ReadinessAsync(string address, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await _http.GetAsync(Url(address, "/readyz"), cancellationToken).ConfigureAwait(false);
            return await response.Content.ReadFromJsonAsync(AgentApiJsonContext.Default.AgentReadiness, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnanswered(e, cancellationToken))
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();

    private static Uri Url(string address, string path) =>
        new($"http://{address}:{AgentPorts.Client.ToString(CultureInfo.InvariantCulture)}{path}");

    private async Task<T?> GetAsync<T>(string address, string path, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            using var response = await _http.GetAsync(Url(address, path), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            return await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnanswered(e, cancellationToken))
        {
            return null;
        }
    }

    private static bool IsUnanswered(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException or JsonException or IOException || (e is OperationCanceledException or TaskCanceledException && !cancellationToken.IsCancellationRequested);
}
