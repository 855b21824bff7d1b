using DataCluster.Agent.Observability;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Hosting;

/// <summary>
/// Runs the <see cref="AgentNode"/> for the life of the host. On stop: readiness off, the
/// control plane cancelled (leadership released, heartbeat stopped), and the stop waits for it,
/// bounded by the host's shutdown timeout.
/// </summary>
internal sealed class AgentService(AgentNode node, ILoggerFactory loggers, IHostApplicationLifetime lifetime) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    public void Dispose() => _stop.Dispose();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        node.Fatal += _ =>
        {
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        };
        _running = Task.Run(() => node.RunAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        AgentLog.Stopping(loggers.CreateLogger("DataCluster.Agent"), node.Context.Options.PodName);
        node.Context.BeginStopping();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _running.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The shutdown timeout passed; the process exits anyway and the Leases expire.
        }
    }
}
