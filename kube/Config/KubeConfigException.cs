namespace DataCluster.Kube.Config;

/// <summary>The configuration could not be loaded; the message names the file and the field.</summary>
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
