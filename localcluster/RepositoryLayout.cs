namespace DataCluster.LocalCluster;

/// <summary>The files of the repository and its build outputs that a local cluster runs from.</summary>
public static class RepositoryLayout
{
    /// <summary>The variable hack/test.sh sets to the published agent.</summary>
    public const string AgentBinaryVariable = "DATACLUSTER_AGENT_BINARY";

    /// <summary>The variable naming the published operator (the trimmed binary the image ships).</summary>
    public const string OperatorBinaryVariable = "DATACLUSTER_OPERATOR_BINARY";

    /// <summary>The directory holding DataCluster.slnx, searched upwards from <paramref name="start"/> (default: the running program's directory).</summary>
    /// <exception cref="InvalidOperationException">Not inside a checkout.</exception>
    public static string Root(string? start = null)
    {
        start ??= AppContext.BaseDirectory;
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DataCluster.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No DataCluster.slnx above {start}; run from a checkout of the repository.");
    }

    /// <summary>crds/datacluster.dev_dataclusters.yaml.</summary>
    public static string CrdManifest(string root) => Path.Combine(root, "crds", "datacluster.dev_dataclusters.yaml");

    /// <summary>The published agent: <see cref="AgentBinaryVariable"/> when set, else artifacts/agent/datacluster-agent (make publish-agent).</summary>
    public static string AgentBinary(string root) =>
        Environment.GetEnvironmentVariable(AgentBinaryVariable) is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : Path.Combine(root, "artifacts", "agent", "datacluster-agent");

    /// <summary>The published operator: <see cref="OperatorBinaryVariable"/> when set, else artifacts/operator/datacluster-operator (make publish-operator).</summary>
    public static string OperatorBinary(string root) =>
        Environment.GetEnvironmentVariable(OperatorBinaryVariable) is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : Path.Combine(root, "artifacts", "operator", "datacluster-operator");
}
