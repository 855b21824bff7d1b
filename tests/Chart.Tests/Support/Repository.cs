using DataCluster.LocalCluster;

namespace DataCluster.Chart.Tests.Support;

/// <summary>Files of the checkout the tests run in.</summary>
internal static class Repository
{
    public const string Chart = "charts/datacluster";

    private static readonly Lazy<string> RootDirectory = new(() => RepositoryLayout.Root());

    public static string Root => RootDirectory.Value;

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    public static bool Exists(string relative) => File.Exists(PathOf(relative)) || Directory.Exists(PathOf(relative));
}
