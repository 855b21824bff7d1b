using DataCluster.Kube.Client;
using DataCluster.Kube.Election;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DataCluster.Operator.Hosting;

/// <summary>What the health endpoints and the process exit code need to know. Thread-safe.</summary>
public sealed class OperatorState
{
    private volatile bool _leading;
    private volatile bool _lostLeadership;

    /// <summary>This replica leads (always, without leader election).</summary>
    public bool Leading
    {
        get => _leading;
        internal set => _leading = value;
    }

    /// <summary>This replica led and lost the Lease; the process then stops and exits with code 1.</summary>
    public bool LostLeadership
    {
        get => _lostLeadership;
        internal set => _lostLeadership = value;
    }
}

/// <summary>
/// The hosted service of the operator: campaigns for the leader Lease (unless leader election is
/// off) and, while leading, runs <see cref="OperatorRuntime"/>.
/// </summary>
/// <remarks>
/// A replica that loses leadership stops the host instead of campaigning again, and the process
/// exits with code 1 so Kubernetes restarts it. Restarting is the one way to be sure that nothing
/// of the old term lingers (a reconcile mid-flight, caches and per-cluster memory built while
/// another replica may already be writing), which is also what client-go based controllers do.
/// On a normal stop the Lease is released so the standby takes over at its next attempt
/// instead of waiting out the lease duration.
/// </remarks>
public sealed class OperatorService(
    IKubeClient client,
    OperatorOptions options,
    OperatorRuntime runtime,
    OperatorMetrics metrics,
    OperatorState state,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider,
    ILogger<OperatorService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.Starting(options.Identity, options.Namespaces.Count == 0 ? "(all)" : string.Join(",", options.Namespaces), options.LeaderElect, options.AgentImage, options.Workers);
        if (!options.LeaderElect)
        {
            state.Leading = true;
            metrics.SetLeader(true);
            await runtime.RunAsync(stoppingToken).ConfigureAwait(false);
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var elector = new LeaderElector(client, new LeaderElectionOptions
        {
            LeaseNamespace = options.LeaderElectionNamespace ?? client.DefaultNamespace,
            LeaseName = options.LeaderElectionLeaseName,
            Identity = options.Identity,
        }, logger, timeProvider)
        {
            OnStartedLeading = async leading =>
            {
                logger.Leading();
                state.Leading = true;
                metrics.SetLeader(true);
                await runtime.RunAsync(leading).ConfigureAwait(false);
            },
            OnStoppedLeading = () =>
            {
                state.Leading = false;
                metrics.SetLeader(false);
                if (!stoppingToken.IsCancellationRequested)
                {
                    logger.LostLeadership();
                    state.LostLeadership = true;
                    stop.Cancel();
                    lifetime.StopApplication();
                }
            },
            OnNewLeader = leader =>
            {
                if (leader != options.Identity)
                {
                    logger.StandingBy(leader);
                }
            },
        };
        await elector.RunAsync(stop.Token).ConfigureAwait(false);
    }
}
