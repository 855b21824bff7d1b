namespace DataCluster.Kube.Config;

/// <summary>
/// The configuration could not be loaded, or its credentials could not be obtained (an exec
/// plugin failed). The message is one line naming the file, the field or user, and the fix.
/// </summary>
public sealed class KubeConfigException : Exception
{
    public KubeConfigException(string message)
        : base(message)
    {
    }

    public KubeConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
