using Xunit;

namespace DataCluster.E2E.Tests.Support;

/// <summary>
/// Figures the tests measure (failover times, API load): written to the test's output and
/// appended to artifacts/e2e-report.txt, so one file holds every figure of a run.
/// </summary>
internal static class Report
{
    private static readonly Lock Gate = new();

    public static void Line(string text)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(text);
        lock (Gate)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(RepositoryPaths.Report)!);
            File.AppendAllText(RepositoryPaths.Report, $"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}Z {TestContext.Current.Test?.TestDisplayName ?? "e2e"}: {text}\n");
        }
    }
}
