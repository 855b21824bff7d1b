using System.Globalization;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.Testing.ControlPlane;

namespace DataCluster.Testing.LocalNode;

/// <summary>
/// Runs one container of a pod as a local process, like the kubelet with restartPolicy Always:
/// start with the resolved environment, probe readiness while it runs, and after every exit
/// restart it after the CrashLoopBackOff delay. Reports every change through a callback.
/// </summary>
/// <remarks>
/// Thread-safe: <see cref="Snapshot"/>, <see cref="Info"/> and <see cref="CrashAsync"/> may be
/// called from any thread while the run loop goes on. <see cref="StopAsync"/> ends the loop
/// for good.
/// </remarks>
internal sealed class ContainerRunner
{
    /// <summary>
    /// Retry delay when a container cannot start (a missing Secret, a ServiceAccount without its
    /// token yet): short, because such conditions usually clear within seconds in tests.
    /// </summary>
    private static readonly TimeSpan ConfigRetryDelay = TimeSpan.FromSeconds(2);

    private readonly PodContext pod;
    private readonly Container container;
    private readonly LocalExecutable executable;
    private readonly Action changed;
    private readonly Lock gate = new();
    private readonly CancellationTokenSource stop = new();
    private readonly RestartBackoff backoff;
    private ContainerSnapshot snapshot;
    private ChildProcess? current;
    private Task loop = Task.CompletedTask;

    public ContainerRunner(PodContext pod, Container container, LocalExecutable executable, Action changed)
    {
        this.pod = pod;
        this.container = container;
        this.executable = executable;
        this.changed = changed;
        backoff = new RestartBackoff(pod.Options.RestartBackoffInitial, pod.Options.RestartBackoffMax);
        ProcessName = $"{pod.Namespace}.{pod.Name}.{container.Name}";
        LogFile = Path.Combine(pod.RunDirectory, ProcessName + ".log");
        snapshot = new ContainerSnapshot
        {
            Name = container.Name,
            Image = container.Image ?? "",
            ImageId = "local://" + executable.FileName,
            Reason = "ContainerCreating",
        };
    }

    public string Name => container.Name;

    /// <summary>Name of the process' log and pid files in the run directory.</summary>
    public string ProcessName { get; }

    public string LogFile { get; }

    public ContainerSnapshot Snapshot
    {
        get
        {
            lock (gate)
            {
                return snapshot;
            }
        }
    }

    public LocalProcessInfo Info
    {
        get
        {
            lock (gate)
            {
                return new LocalProcessInfo(
                    pod.Namespace,
                    pod.Name,
                    container.Name,
                    snapshot.State == ContainerRunState.Running ? current?.Pid : null,
                    pod.Address,
                    LogFile,
                    snapshot.RestartCount,
                    snapshot.Ready);
            }
        }
    }

    public void Start() => loop = Task.Run(() => RunAsync(stop.Token));

    /// <summary>SIGKILLs the running process (a crash); the loop restarts it after the backoff. Returns the pid, or null when none ran.</summary>
    public async Task<int?> CrashAsync()
    {
        ChildProcess? process;
        lock (gate)
        {
            process = snapshot.State == ContainerRunState.Running ? current : null;
        }

        if (process is null)
        {
            return null;
        }

        var pid = process.Pid;
        pod.Logger.Crashing(container.Name, pod.Namespace, pod.Name, pid);
        try
        {
            await process.KillAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // It exited (and the loop released it) in the meantime: crashed either way.
        }

        return pid;
    }

    /// <summary>
    /// Stops for good: no more restarts; SIGTERM, then SIGKILL after <paramref name="grace"/>.
    /// A zero grace kills at once.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        await stop.CancelAsync().ConfigureAwait(false);
        await loop.ConfigureAwait(false);
        ChildProcess? process;
        lock (gate)
        {
            process = current;
            current = null;
        }

        if (process is not null)
        {
            if (grace <= TimeSpan.Zero)
            {
                await process.KillAsync().ConfigureAwait(false);
            }
            else
            {
                await process.StopAsync(grace).ConfigureAwait(false);
            }

            await process.DisposeAsync().ConfigureAwait(false);
        }

        stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            ChildProcess process;
            try
            {
                var (environment, arguments) = await PrepareAsync(cancellationToken).ConfigureAwait(false);
                lock (gate)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        return;
                    }

                    process = ChildProcess.Start(ProcessName, executable.FileName, arguments, pod.RunDirectory, environment, inheritEnvironment: false);
                    current = process;
                    snapshot = snapshot with
                    {
                        State = ContainerRunState.Running,
                        Reason = null,
                        Message = null,
                        ContainerId = "local://" + process.Pid.ToString(CultureInfo.InvariantCulture),
                        StartedAt = pod.Time.GetUtcNow(),
                        Ready = false,
                    };
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is ContainerConfigException or KubeApiException or HttpRequestException or IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
            {
                var reason = e is ContainerConfigException config ? config.Reason : "CreateContainerError";
                pod.Logger.ContainerNotStarted(container.Name, pod.Namespace, pod.Name, reason, e.Message);
                Update(s => s with { State = ContainerRunState.Waiting, Reason = reason, Message = e.Message, Ready = false });
                if (!await DelayAsync(ConfigRetryDelay, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            var started = Snapshot.StartedAt ?? pod.Time.GetUtcNow();
            pod.Logger.ContainerStarted(container.Name, pod.Namespace, pod.Name, process.Pid, pod.Address, Snapshot.RestartCount, LogFile);
            changed();

            using (var probing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var pid = process.Pid;
                var probe = new ReadinessProbe(container, pod.Address, pod.ProbeHttp, pod.Options.ReadinessPeriod)
                    .RunAsync(ready => SetReady(pid, ready), probing.Token);
                try
                {
                    await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: StopAsync takes over the process.
                    await probing.CancelAsync().ConfigureAwait(false);
                    await probe.ConfigureAwait(false);
                    return;
                }

                await probing.CancelAsync().ConfigureAwait(false);
                await probe.ConfigureAwait(false);
            }

            var finished = pod.Time.GetUtcNow();
            var exitCode = process.ExitCode ?? -1;
            lock (gate)
            {
                current = null;
            }

            await process.DisposeAsync().ConfigureAwait(false);
            var delay = backoff.Next(finished - started);
            pod.Logger.ContainerExited(container.Name, pod.Namespace, pod.Name, exitCode, (finished - started).TotalSeconds, delay.TotalSeconds);
            Update(s => s with
            {
                State = ContainerRunState.Waiting,
                Reason = "CrashLoopBackOff",
                Message = $"back-off {delay.TotalSeconds:0}s restarting failed container={container.Name} pod={pod.Name}_{pod.Namespace}({pod.Uid})",
                Ready = false,
                LastTermination = new ContainerTermination(exitCode, exitCode == 0 ? "Completed" : "Error", started, finished, s.ContainerId),
            });

            if (!await DelayAsync(delay, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            Update(s => s with { RestartCount = s.RestartCount + 1 }, notify: false);
        }
    }

    /// <summary>The process environment and arguments, resolved anew at every start (as the kubelet does).</summary>
    private async Task<(Dictionary<string, string> Environment, List<string> Arguments)> PrepareAsync(CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in pod.Options.InheritedVariables)
        {
            if (System.Environment.GetEnvironmentVariable(name) is { } value)
            {
                environment[name] = value;
            }
        }

        var mounts = await PodVolumes.MaterializeAsync(pod.Pod, container, pod.Directories, pod.Client, cancellationToken).ConfigureAwait(false);
        var resolved = await EnvironmentResolver.ResolveAsync(pod.Pod, container, pod.Address, pod.HostIp, pod.Client, cancellationToken).ConfigureAwait(false);
        var kubeconfig = await ServiceAccountKubeconfig.WriteAsync(pod.Pod, pod.Directories, pod.Options.ApiServer, pod.Options.CertificateAuthorityPem, pod.Client, cancellationToken).ConfigureAwait(false);

        foreach (var (name, value) in resolved)
        {
            environment[name] = MountedPath.Translate(value, mounts);
        }

        foreach (var name in pod.Options.BindAddressVariables)
        {
            environment[name] = pod.Address;
        }

        if (kubeconfig is not null)
        {
            environment["KUBECONFIG"] = kubeconfig;
        }

        var arguments = new List<string>(executable.Arguments);
        foreach (var argument in container.Args ?? [])
        {
            arguments.Add(MountedPath.Translate(VariableExpansion.Expand(argument, n => environment.GetValueOrDefault(n)), mounts));
        }

        return (environment, arguments);
    }

    private void SetReady(int pid, bool ready)
    {
        var expected = "local://" + pid.ToString(CultureInfo.InvariantCulture);
        var changedNow = false;
        lock (gate)
        {
            if (snapshot.State == ContainerRunState.Running && snapshot.ContainerId == expected && snapshot.Ready != ready)
            {
                snapshot = snapshot with { Ready = ready };
                changedNow = true;
            }
        }

        if (changedNow)
        {
            pod.Logger.Readiness(container.Name, pod.Namespace, pod.Name, ready ? "ready" : "not ready");
            changed();
        }
    }

    private void Update(Func<ContainerSnapshot, ContainerSnapshot> change, bool notify = true)
    {
        lock (gate)
        {
            snapshot = change(snapshot);
        }

        if (notify)
        {
            changed();
        }
    }

    /// <summary>False when cancelled.</summary>
    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
