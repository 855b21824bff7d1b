using System.Globalization;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;
using DataCluster.LocalCluster.ControlPlane;

namespace DataCluster.LocalCluster.LocalNode;

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

    private readonly PodContext _pod;
    private readonly Container _container;
    private readonly LocalExecutable _executable;
    private readonly Action _changed;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly RestartBackoff _backoff;
    private ContainerSnapshot _snapshot;
    private ChildProcess? _current;
    private Task _loop = Task.CompletedTask;

    public ContainerRunner(PodContext pod, Container container, LocalExecutable executable, Action changed)
    {
        _pod = pod;
        _container = container;
        _executable = executable;
        _changed = changed;
        _backoff = new RestartBackoff(pod.Options.RestartBackoffInitial, pod.Options.RestartBackoffMax);
        ProcessName = $"{pod.Namespace}.{pod.Name}.{container.Name}";
        LogFile = Path.Combine(pod.RunDirectory, ProcessName + ".log");
        _snapshot = new ContainerSnapshot
        {
            Name = container.Name,
            Image = container.Image ?? "",
            ImageId = "local://" + executable.FileName,
            Reason = "ContainerCreating",
        };
    }

    public string Name => _container.Name;

    /// <summary>Name of the process' log and pid files in the run directory.</summary>
    public string ProcessName { get; }

    public string LogFile { get; }

    public ContainerSnapshot Snapshot
    {
        get
        {
            lock (_gate)
            {
                return _snapshot;
            }
        }
    }

    public LocalProcessInfo Info
    {
        get
        {
            lock (_gate)
            {
                return new LocalProcessInfo(
                    _pod.Namespace,
                    _pod.Name,
                    _container.Name,
                    _snapshot.State == ContainerRunState.Running ? _current?.Pid : null,
                    _pod.Address,
                    LogFile,
                    _snapshot.RestartCount,
                    _snapshot.Ready);
            }
        }
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>SIGKILLs the running process (a crash); the loop restarts it after the backoff. Returns the pid, or null when none ran.</summary>
    public async Task<int?> CrashAsync()
    {
        ChildProcess? process;
        lock (_gate)
        {
            process = _snapshot.State == ContainerRunState.Running ? _current : null;
        }

        if (process is null)
        {
            return null;
        }

        var pid = process.Pid;
        _pod.Logger.Crashing(_container.Name, _pod.Namespace, _pod.Name, pid);
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
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        ChildProcess? process;
        lock (_gate)
        {
            process = _current;
            _current = null;
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

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            ChildProcess process;
            try
            {
                var (environment, arguments) = await PrepareAsync(cancellationToken).ConfigureAwait(false);
                lock (_gate)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        return;
                    }

                    process = ChildProcess.Start(ProcessName, _executable.FileName, arguments, _pod.RunDirectory, environment, inheritEnvironment: false);
                    _current = process;
                    _snapshot = _snapshot with
                    {
                        State = ContainerRunState.Running,
                        Reason = null,
                        Message = null,
                        ContainerId = "local://" + process.Pid.ToString(CultureInfo.InvariantCulture),
                        StartedAt = _pod.Time.GetUtcNow(),
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
                _pod.Logger.ContainerNotStarted(_container.Name, _pod.Namespace, _pod.Name, reason, e.Message);
                Update(s => s with { State = ContainerRunState.Waiting, Reason = reason, Message = e.Message, Ready = false });
                if (!await DelayAsync(ConfigRetryDelay, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            var started = Snapshot.StartedAt ?? _pod.Time.GetUtcNow();
            _pod.Logger.ContainerStarted(_container.Name, _pod.Namespace, _pod.Name, process.Pid, _pod.Address, Snapshot.RestartCount, LogFile);
            _changed();

            using (var probing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var pid = process.Pid;
                var probe = new ReadinessProbe(_container, _pod.Address, _pod.ProbeHttp, _pod.Options.ReadinessPeriod)
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

            var finished = _pod.Time.GetUtcNow();
            var exitCode = process.ExitCode ?? -1;
            lock (_gate)
            {
                _current = null;
            }

            await process.DisposeAsync().ConfigureAwait(false);
            var delay = _backoff.Next(finished - started);
            _pod.Logger.ContainerExited(_container.Name, _pod.Namespace, _pod.Name, exitCode, (finished - started).TotalSeconds, delay.TotalSeconds);
            Update(s => s with
            {
                State = ContainerRunState.Waiting,
                Reason = "CrashLoopBackOff",
                Message = $"back-off {delay.TotalSeconds:0}s restarting failed container={_container.Name} pod={_pod.Name}_{_pod.Namespace}({_pod.Uid})",
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
        foreach (var name in _pod.Options.InheritedVariables)
        {
            if (System.Environment.GetEnvironmentVariable(name) is { } value)
            {
                environment[name] = value;
            }
        }

        var mounts = await PodVolumes.MaterializeAsync(_pod.Pod, _container, _pod.Directories, _pod.Claims, _pod.Client, cancellationToken).ConfigureAwait(false);
        var resolved = await EnvironmentResolver.ResolveAsync(_pod.Pod, _container, _pod.Address, _pod.HostIp, _pod.Client, cancellationToken).ConfigureAwait(false);
        var kubeconfig = await ServiceAccountKubeconfig.WriteAsync(_pod.Pod, _pod.Directories, _pod.Options.ApiServer, _pod.Options.CertificateAuthorityPem, _pod.Client, cancellationToken).ConfigureAwait(false);

        foreach (var (name, value) in resolved)
        {
            environment[name] = MountedPath.Translate(value, mounts);
        }

        foreach (var name in _pod.Options.BindAddressVariables)
        {
            environment[name] = _pod.Address;
        }

        if (kubeconfig is not null)
        {
            environment["KUBECONFIG"] = kubeconfig;
        }

        var own = (_container.Args ?? [])
            .Select(argument => MountedPath.Translate(VariableExpansion.Expand(argument, n => environment.GetValueOrDefault(n)), mounts))
            .ToList();
        return (environment, [.. _executable.Arguments, .. ListenArguments.Rewrite(own, _executable.ListenFlags, _pod.Address)]);
    }

    private void SetReady(int pid, bool ready)
    {
        var expected = "local://" + pid.ToString(CultureInfo.InvariantCulture);
        var changedNow = false;
        lock (_gate)
        {
            if (_snapshot.State == ContainerRunState.Running && _snapshot.ContainerId == expected && _snapshot.Ready != ready)
            {
                _snapshot = _snapshot with { Ready = ready };
                changedNow = true;
            }
        }

        if (changedNow)
        {
            _pod.Logger.Readiness(_container.Name, _pod.Namespace, _pod.Name, ready ? "ready" : "not ready");
            _changed();
        }
    }

    private void Update(Func<ContainerSnapshot, ContainerSnapshot> change, bool notify = true)
    {
        lock (_gate)
        {
            _snapshot = change(_snapshot);
        }

        if (notify)
        {
            _changed();
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
