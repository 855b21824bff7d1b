namespace DataCluster.LocalCluster.LocalNode;

/// <summary>Where a container is in its life, in the kubelet's three states.</summary>
public enum ContainerRunState
{
    Waiting,
    Running,
    Terminated,
}

/// <summary>How a container's previous run ended (the status' lastState).</summary>
public sealed record ContainerTermination(int ExitCode, string Reason, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, string? ContainerId);

/// <summary>One container as the local node sees it at one moment; the input of <see cref="PodStatusBuilder"/>.</summary>
public sealed record ContainerSnapshot
{
    public required string Name { get; init; }

    public required string Image { get; init; }

    /// <summary>local://PATH of the executable, or local://none for a container without a process.</summary>
    public required string ImageId { get; init; }

    public ContainerRunState State { get; init; } = ContainerRunState.Waiting;

    /// <summary>Waiting: ContainerCreating, CrashLoopBackOff, CreateContainerConfigError ...</summary>
    public string? Reason { get; init; }

    public string? Message { get; init; }

    /// <summary>local://PID of the running process.</summary>
    public string? ContainerId { get; init; }

    /// <summary>Running: when the current process started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    public ContainerTermination? LastTermination { get; init; }

    public int RestartCount { get; init; }

    public bool Ready { get; init; }
}
