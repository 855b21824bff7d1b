namespace DataCluster.LocalCluster.LocalNode;

/// <summary>
/// A container cannot be started as specified (a referenced Secret key is missing, a field path
/// is unknown). The pod shows it as the container's waiting reason, as a kubelet does, and the
/// local node tries again later.
/// </summary>
public sealed class ContainerConfigException : Exception
{
    public ContainerConfigException(string reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    public ContainerConfigException()
        : this("CreateContainerConfigError", "The container configuration is invalid.")
    {
    }

    public ContainerConfigException(string message)
        : this("CreateContainerConfigError", message)
    {
    }

    public ContainerConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = "CreateContainerConfigError";
    }

    /// <summary>The container's waiting reason: CreateContainerConfigError, or ContainerCreating for a volume that cannot be mounted yet.</summary>
    public string Reason { get; } = "CreateContainerConfigError";
}
