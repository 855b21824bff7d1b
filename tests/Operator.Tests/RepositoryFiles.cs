using DataCluster.LocalCluster;

namespace DataCluster.Operator.Tests;

/// <summary>Files of the repository the tests run in, found from the test binary upwards.</summary>
internal static class RepositoryFiles
{
    private static readonly Lazy<string> RootDirectory = new(() => RepositoryLayout.Root());

    public static string Root => RootDirectory.Value;

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));
}
