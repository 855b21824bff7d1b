using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;

namespace DataCluster.Agent.Hosting;

/// <summary>
/// The agent's process lifetime in place of the console lifetime: SIGTERM (and SIGINT) first
/// runs the planned handoff (<see cref="AgentNode.HandOffAsync"/>) with the whole agent still
/// serving, and only then stops the host. A second signal, or SIGQUIT, stops at once.
/// </summary>
/// <remarks>
/// The console lifetime would stop the host on the signal itself, and a host stop takes Kestrel
/// down before the hosted services: the member would stop answering its peers and clients while
/// its leaderships were still moving. The kubelet sends SIGTERM, waits the pod's
/// terminationGracePeriodSeconds, then SIGKILL; the handoff's grace and the host's stop timeout
/// together stay below that period (<see cref="Contracts.Limits.ShutdownGraceSeconds"/>).
/// </remarks>
internal sealed class AgentLifetime(AgentNode node, IHostApplicationLifetime lifetime) : IHostLifetime, IDisposable
{
    private readonly CancellationTokenSource _handoffCancelled = new();
    private readonly List<PosixSignalRegistration> _signals = [];
    private int _signalled;
    private Task _handoff = Task.CompletedTask;

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStopSignal));
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStopSignal));
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGQUIT, context =>
        {
            context.Cancel = true;
            StopNow();
        }));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var signal in _signals)
        {
            signal.Dispose();
        }

        _handoffCancelled.Dispose();
    }

    /// <summary>Runs the handoff, then stops the host; what a first SIGTERM does.</summary>
    internal Task HandOffThenStopAsync()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 1)
        {
            StopNow();
            return _handoff;
        }

        _handoff = Task.Run(async () =>
        {
            try
            {
                var grace = node.Context.Options.ShutdownGrace;
                if (grace > TimeSpan.Zero && !lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    await node.HandOffAsync(grace, _handoffCancelled.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // A second signal: stop now.
            }
            finally
            {
                lifetime.StopApplication();
            }
        });
        return _handoff;
    }

    private void OnStopSignal(PosixSignalContext context)
    {
        // Cancel the runtime's default (terminate the process); the handoff decides when to stop.
        context.Cancel = true;
        _ = HandOffThenStopAsync();
    }

    private void StopNow()
    {
        try
        {
            _handoffCancelled.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        lifetime.StopApplication();
    }
}
