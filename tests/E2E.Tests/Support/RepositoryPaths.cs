namespace DataCluster.E2E.Tests.Support;

/// <summary>Files of the repository and the build the tests need.</summary>
internal static class RepositoryPaths
{
    /// <summary>The directory holding DataCluster.slnx, searched upwards from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static string CrdManifest => Path.Combine(Root, "crds", "datacluster.dev_dataclusters.yaml");

    /// <summary>The published agent: DATACLUSTER_AGENT_BINARY (set by hack/test.sh), else artifacts/agent/datacluster-agent.</summary>
    public static string AgentBinary =>
        Environment.GetEnvironmentVariable("DATACLUSTER_AGENT_BINARY") is { Length: > 0 } fromEnv
            ? fromEnv
            : Path.Combine(Root, "artifacts", "agent", "datacluster-agent");

    /// <summary>The operator as built beside these tests.</summary>
    public static string OperatorAssembly => Path.Combine(AppContext.BaseDirectory, "datacluster-operator.dll");

    /// <summary>Where the end-to-end figures are collected (one line per measurement).</summary>
    public static string Report => Path.Combine(Root, "artifacts", "e2e-report.txt");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DataCluster.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No DataCluster.slnx above {AppContext.BaseDirectory}; run the tests from the repository.");
    }
}
