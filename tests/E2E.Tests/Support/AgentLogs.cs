namespace DataCluster.E2E.Tests.Support;

/// <summary>
/// Keeps the agents' logs of a failing test: the local node's run directory goes with the
/// fixture, so they are copied to artifacts/e2e-logs/NAMESPACE/ first.
/// </summary>
internal static class AgentLogs
{
    /// <summary>Copies every agent log of <paramref name="dc"/>; returns the directory.</summary>
    public static string Keep(TestCluster dc)
    {
        var directory = Path.Combine(RepositoryPaths.Root, "artifacts", "e2e-logs", dc.Namespace);
        Directory.CreateDirectory(directory);
        foreach (var process in dc.Cluster.Node.Processes(dc.Namespace))
        {
            try
            {
                File.Copy(process.LogFile, Path.Combine(directory, process.Pod + ".log"), overwrite: true);
            }
            catch (IOException)
            {
                // A log that cannot be read is reported by its absence.
            }
        }

        return directory;
    }
}
