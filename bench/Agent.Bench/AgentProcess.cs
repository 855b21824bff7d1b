using System.Text.Json;
using DataCluster.LocalCluster.ControlPlane;

namespace DataCluster.Agent.Bench;

/// <summary>What one agent's GET /v1/ring says: the assignment epoch and the members holding replicas.</summary>
internal sealed record RingState(long Epoch, string? Leader, IReadOnlyList<string> Holding);

/// <summary>A running published agent and its client API.</summary>
internal sealed class AgentProcess(string pod, ChildProcess process, Uri address) : IAsyncDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };

    public string Pod { get; } = pod;

    public ChildProcess Process { get; } = process;

    /// <summary>The ring as this agent serves it, or null while it does not answer or has no assignment.</summary>
    public async Task<RingState?> RingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync("/v1/ring", cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            var root = json.RootElement;
            var holding = root.GetProperty("members").EnumerateArray()
                .Where(m => m.GetProperty("replicas").GetInt32() > 0)
                .Select(m => m.GetProperty("id").GetString()!)
                .ToList();
            return new RingState(root.GetProperty("epoch").GetInt64(), root.GetProperty("leader").GetString(), holding);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Process.DisposeAsync().ConfigureAwait(false);
    }
}
