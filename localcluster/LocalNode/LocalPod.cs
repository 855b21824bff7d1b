using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using DataCluster.Kube;
using DataCluster.Kube.Errors;
using DataCluster.Kube.Models;

namespace DataCluster.LocalCluster.LocalNode;

/// <summary>
/// One pod instance (name plus uid) on the local node: a runner per container with a mapped
/// image, a fixed state for the others (running and ready for an app container of a member pod,
/// waiting with ErrImageNeverPull elsewhere), and a status writer that patches the
/// pod's status whenever what a kubelet would report changes.
/// </summary>
/// <remarks>
/// Thread-safe. Status writes are serialized on the writer's loop and coalesced: many changes
/// in quick succession become one patch of the latest state. Each patch carries the pod's uid,
/// so it can never land on a newer pod of the same name.
/// </remarks>
internal sealed class LocalPod
{
    /// <summary>Pause after a failed status write; the API server is busy or restarting.</summary>
    private static readonly TimeSpan StatusRetryDelay = TimeSpan.FromSeconds(1);

    private readonly PodContext _context;
    private readonly IReadOnlyList<ContainerRunner> _runners;
    private readonly IReadOnlyList<ContainerSnapshot> _withoutProcess;
    private readonly Channel<bool> _dirty = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopReporting = new();
    private readonly DateTimeOffset _startTime;
    private readonly Lock _stopGate = new();
    private Task _reporter = Task.CompletedTask;
    private Pod _latest;
    private int _terminating;
    private Task? _stopping;

    public LocalPod(PodContext context)
    {
        _context = context;
        _latest = context.Pod;
        _startTime = context.Time.GetUtcNow();
        var runners = new List<ContainerRunner>();
        var others = new List<ContainerSnapshot>();
        var appPod = context.Options.IsAppPod(context.Pod.Metadata.Labels);
        foreach (var container in context.Pod.Spec.Containers)
        {
            if (context.Options.ExecutableFor(container.Image) is { } executable)
            {
                runners.Add(new ContainerRunner(context, container, executable, Changed));
            }
            else if (!appPod)
            {
                // Nothing stands in for this image and the pod is not a member pod with an app
                // beside the agent: say so in the pod, as a kubelet does for an image it cannot get.
                others.Add(new ContainerSnapshot
                {
                    Name = container.Name,
                    Image = container.Image ?? "",
                    ImageId = "",
                    State = ContainerRunState.Waiting,
                    Reason = "ErrImageNeverPull",
                    Message = $"The local node has no executable for image \"{container.Image}\"; it runs {MappedImages(context.Options)} (LocalNodeOptions.Images).",
                });
            }
            else
            {
                // Not ours to run (the user's app): reported as a container that runs and is ready.
                others.Add(new ContainerSnapshot
                {
                    Name = container.Name,
                    Image = container.Image ?? "",
                    ImageId = "local://none",
                    State = ContainerRunState.Running,
                    StartedAt = _startTime,
                    ContainerId = "local://none",
                    Ready = true,
                });
            }
        }

        _runners = runners;
        _withoutProcess = others;
    }

    public string Namespace => _context.Namespace;

    private static string MappedImages(LocalNodeOptions options) =>
        options.Images.Count == 0 ? "no images" : string.Join(", ", options.Images.Keys.Order(StringComparer.Ordinal).Select(i => $"\"{i}\""));

    public string Name => _context.Name;

    public string Uid => _context.Uid;

    public string Address => _context.Address;

    public bool Terminating => Volatile.Read(ref _terminating) != 0;

    public IReadOnlyList<LocalProcessInfo> Processes => [.. _runners.Select(r => r.Info)];

    /// <summary>The newest copy of the pod from the watch (conditions others set, readiness gates).</summary>
    public void Observe(Pod pod)
    {
        Volatile.Write(ref _latest, pod);
        Changed();
    }

    public void Start()
    {
        _reporter = Task.Run(() => ReportAsync(_stopReporting.Token));
        foreach (var runner in _runners)
        {
            runner.Start();
        }

        Changed();
    }

    /// <summary>SIGKILLs the processes of the named container, or of every container when null. Returns the pids killed.</summary>
    public async Task<IReadOnlyList<int>> CrashAsync(string? container)
    {
        var killed = new List<int>();
        foreach (var runner in _runners.Where(r => container is null || r.Name == container))
        {
            if (await runner.CrashAsync().ConfigureAwait(false) is { } pid)
            {
                killed.Add(pid);
            }
        }

        return killed;
    }

    /// <summary>
    /// Stops every process (SIGTERM, SIGKILL after <paramref name="grace"/>; zero kills at once)
    /// and the status writer, and removes the pod's own directories (its claims' directories stay
    /// for the next pod of the same name). Idempotent; later calls wait for the first.
    /// </summary>
    public Task StopAsync(TimeSpan grace)
    {
        lock (_stopGate)
        {
            if (Interlocked.Exchange(ref _terminating, 1) == 0)
            {
                _stopping = StopOnceAsync(grace);
            }

            return _stopping!;
        }
    }

    private async Task StopOnceAsync(TimeSpan grace)
    {
        await _stopReporting.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_runners.Select(r => r.StopAsync(grace))).ConfigureAwait(false);
        await _reporter.ConfigureAwait(false);
        _stopReporting.Dispose();
        _context.Claims.Unmount(Uid);
        try
        {
            if (Directory.Exists(_context.Directories.Root))
            {
                Directory.Delete(_context.Directories.Root, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: the run directory goes as a whole at the end.
        }
    }

    private void Changed() => _dirty.Writer.TryWrite(true);

    private async Task ReportAsync(CancellationToken cancellationToken)
    {
        var lastJson = "";
        IReadOnlyList<PodCondition>? lastConditions = null;
        try
        {
            await foreach (var _ in _dirty.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var containers = _context.Pod.Spec.Containers
                    .Select(c => _runners.FirstOrDefault(r => r.Name == c.Name)?.Snapshot ?? _withoutProcess.First(s => s.Name == c.Name))
                    .ToList();
                var status = PodStatusBuilder.Build(Volatile.Read(ref _latest), Address, NodeRegistrar.HostAddress, _startTime, containers, lastConditions, _context.Time.GetUtcNow());
                var json = JsonSerializer.Serialize(status, KubeJsonContext.Default.PodStatus);
                if (json == lastJson)
                {
                    continue;
                }

                var patch = new JsonObject
                {
                    // The uid makes the patch a precondition: it fails on a newer pod of the same name.
                    ["metadata"] = new JsonObject { ["uid"] = Uid },
                    ["status"] = JsonNode.Parse(json),
                };
                try
                {
                    await _context.Client.MergePatchStatusAsync(KubeResources.Pods, Namespace, Name, patch, cancellationToken).ConfigureAwait(false);
                    lastJson = json;
                    lastConditions = status.Conditions;
                }
                catch (Exception e) when (e is NotFoundException or ConflictException)
                {
                    return; // the pod is gone or replaced; the node's sync loop cleans up
                }
                catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    // Includes an API server that did not answer in time (frozen, overloaded): the
                    // status is written again once it does; the reporter never gives up on its own.
                    _context.Logger.StatusWriteFailed(e, Namespace, Name);
                    await Task.Delay(StatusRetryDelay, cancellationToken).ConfigureAwait(false);
                    Changed();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
