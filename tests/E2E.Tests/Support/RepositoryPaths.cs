using DataCluster.LocalCluster;

namespace DataCluster.E2E.Tests.Support;

/// <summary>Files of the repository and the build the tests need.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = RepositoryLayout.Root();

    public static string CrdManifest => RepositoryLayout.CrdManifest(Root);

    /// <summary>The published agent (hack/test.sh publishes it before the tests).</summary>
    public static string AgentBinary => RepositoryLayout.AgentBinary(Root);

    /// <summary>The operator as built beside these tests.</summary>
    public static string OperatorAssembly => Path.Combine(AppContext.BaseDirectory, "datacluster-operator.dll");

    /// <summary>The demo program as built beside these tests.</summary>
    public static string DemoAssembly => Path.Combine(AppContext.BaseDirectory, "datacluster-demo.dll");

    /// <summary>Where the end-to-end figures are collected (one line per measurement).</summary>
    public static string Report => Path.Combine(Root, "artifacts", "e2e-report.txt");
}
