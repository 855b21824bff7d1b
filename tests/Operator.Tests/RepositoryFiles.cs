namespace DataCluster.Operator.Tests;

/// <summary>Files of the repository the tests run in, found from the test binary upwards.</summary>
internal static class RepositoryFiles
{
    private static readonly Lazy<string> RootDirectory = new(FindRoot);

    public static string Root => RootDirectory.Value;

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DataCluster.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No DataCluster.slnx above {AppContext.BaseDirectory}.");
    }
}
