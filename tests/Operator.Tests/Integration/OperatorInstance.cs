using System.Net.Http;
using DataCluster.Operator.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DataCluster.Operator.Tests.Integration;

/// <summary>One in-process operator replica.</summary>
public sealed class OperatorInstance(string identity, WebApplication app, OperatorOptions options) : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private bool _stopped;
    private bool _disposed;

    public string Identity { get; } = identity;

    public OperatorOptions Options { get; } = options;

    public IServiceProvider Services => app.Services;

    public OperatorState State => app.Services.GetRequiredService<OperatorState>();

    public OperatorRuntime Runtime => app.Services.GetRequiredService<OperatorRuntime>();

    public OperatorMetrics Metrics => app.Services.GetRequiredService<OperatorMetrics>();

    /// <summary>Leads and its caches have synced.</summary>
    public bool IsLeadingWithSyncedCaches => State.Leading && Runtime.CachesSynced && Runtime.Controller?.IsRunning == true;

    /// <summary>Stopped by a test, or stopping because its host was asked to (after a lost Lease).</summary>
    public bool IsStopping => _stopped || _disposed || app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested;

    /// <summary>Reconciles the current controller has finished.</summary>
    public long Reconciles => Runtime.Controller?.ReconcileCount ?? 0;

    public Uri MetricsUri => new($"http://{Options.MetricsBindAddress}/metrics");

    public Uri HealthUri(string path) => new($"http://{Options.HealthProbeBindAddress}{path}");

    public async Task<(int Status, string Body)> GetAsync(Uri uri)
    {
        using var response = await Http.GetAsync(uri);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Stops the replica gracefully (releasing its Lease).</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await app.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await StopAsync();
        await app.DisposeAsync();
    }
}
