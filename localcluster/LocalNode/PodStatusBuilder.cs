using DataCluster.Kube.Models;

namespace DataCluster.LocalCluster.LocalNode;

/// <summary>
/// The status a kubelet would write for a pod whose containers are in the given states: phase,
/// addresses, the four standard conditions and one status per container. Pure.
/// </summary>
public static class PodStatusBuilder
{
    public const string Initialized = "Initialized";
    public const string Ready = "Ready";
    public const string ContainersReady = "ContainersReady";
    public const string PodScheduled = "PodScheduled";

    private static readonly string[] OwnConditions = [Initialized, Ready, ContainersReady, PodScheduled];

    /// <param name="pod">The pod as last read (its spec, readiness gates and conditions others set).</param>
    /// <param name="podIp">The pod's address.</param>
    /// <param name="hostIp">The node's address.</param>
    /// <param name="startTime">When the local node took the pod on.</param>
    /// <param name="containers">Every container of the spec, in spec order.</param>
    /// <param name="previous">The conditions written before, whose lastTransitionTime is kept while their status stays.</param>
    /// <param name="now">The transition time of conditions that change.</param>
    public static PodStatus Build(
        Pod pod,
        string podIp,
        string hostIp,
        DateTimeOffset startTime,
        IReadOnlyList<ContainerSnapshot> containers,
        IReadOnlyList<PodCondition>? previous,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(containers);
        var started = containers.Any(c => c.State != ContainerRunState.Waiting || c.RestartCount > 0 || c.LastTermination is not null);
        var unready = containers.Where(c => !c.Ready).Select(c => c.Name).ToList();
        var containersReady = containers.Count > 0 && unready.Count == 0;

        var others = (pod.Status?.Conditions ?? [])
            .Where(c => !OwnConditions.Contains(c.Type, StringComparer.Ordinal))
            .Select(c => new PodCondition { Type = c.Type, Status = c.Status, Reason = c.Reason, Message = c.Message, LastProbeTime = c.LastProbeTime, LastTransitionTime = c.LastTransitionTime })
            .ToList();
        var gatesOpen = (pod.Spec.ReadinessGates ?? []).All(g => others.Any(c => c.Type == g.ConditionType && c.Status == "True"));
        var missingGate = (pod.Spec.ReadinessGates ?? []).FirstOrDefault(g => !others.Any(c => c.Type == g.ConditionType && c.Status == "True"));

        var notReadyMessage = $"containers with unready status: [{string.Join(' ', unready)}]";
        List<PodCondition> conditions =
        [
            Condition(Initialized, true, null, null),
            containersReady && gatesOpen
                ? Condition(Ready, true, null, null)
                : containersReady
                    ? Condition(Ready, false, "ReadinessGatesNotReady", $"corresponding condition of pod readiness gate \"{missingGate?.ConditionType}\" is not True")
                    : Condition(Ready, false, "ContainersNotReady", notReadyMessage),
            containersReady ? Condition(ContainersReady, true, null, null) : Condition(ContainersReady, false, "ContainersNotReady", notReadyMessage),
            Condition(PodScheduled, true, null, null),
            .. others,
        ];

        foreach (var condition in conditions.Where(c => OwnConditions.Contains(c.Type, StringComparer.Ordinal)))
        {
            var before = previous?.FirstOrDefault(p => p.Type == condition.Type) ?? pod.Status?.Conditions?.FirstOrDefault(p => p.Type == condition.Type);
            condition.LastTransitionTime = before is not null && before.Status == condition.Status ? before.LastTransitionTime ?? now : now;
        }

        return new PodStatus
        {
            Phase = started ? "Running" : "Pending",
            Conditions = conditions,
            HostIp = hostIp,
            PodIp = podIp,
            PodIps = [new PodIp { Ip = podIp }],
            StartTime = startTime,
            InitContainerStatuses = pod.Spec.InitContainers is { Count: > 0 } init
                ? [.. init.Select(c => CompletedInit(c, startTime))]
                : null,
            ContainerStatuses = [.. containers.Select(ToStatus)],
        };
    }

    private static PodCondition Condition(string type, bool status, string? reason, string? message) => new()
    {
        Type = type,
        Status = status ? "True" : "False",
        Reason = reason,
        Message = message,
    };

    private static ContainerStatus ToStatus(ContainerSnapshot c) => new()
    {
        Name = c.Name,
        Image = c.Image,
        ImageId = c.ImageId,
        ContainerId = c.State == ContainerRunState.Running ? c.ContainerId : null,
        Ready = c.Ready,
        Started = c.State == ContainerRunState.Running,
        RestartCount = c.RestartCount,
        State = c.State switch
        {
            ContainerRunState.Running => new ContainerState { Running = new ContainerStateRunning { StartedAt = c.StartedAt } },
            ContainerRunState.Terminated when c.LastTermination is { } t => new ContainerState { Terminated = Terminated(t) },
            _ => new ContainerState { Waiting = new ContainerStateWaiting { Reason = c.Reason ?? "ContainerCreating", Message = c.Message } },
        },
        LastState = c.LastTermination is { } last && c.State != ContainerRunState.Terminated
            ? new ContainerState { Terminated = Terminated(last) }
            : new ContainerState(),
    };

    private static ContainerStateTerminated Terminated(ContainerTermination t) => new()
    {
        ExitCode = t.ExitCode,
        Reason = t.Reason,
        StartedAt = t.StartedAt,
        FinishedAt = t.FinishedAt,
        ContainerId = t.ContainerId,
    };

    /// <summary>Init containers are not run here; they are reported as having completed.</summary>
    private static ContainerStatus CompletedInit(Container c, DateTimeOffset at) => new()
    {
        Name = c.Name,
        Image = c.Image,
        ImageId = "local://none",
        Ready = true,
        State = new ContainerState { Terminated = new ContainerStateTerminated { ExitCode = 0, Reason = "Completed", StartedAt = at, FinishedAt = at } },
        LastState = new ContainerState(),
    };
}
