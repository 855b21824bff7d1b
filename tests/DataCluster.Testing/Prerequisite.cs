using System.Diagnostics.CodeAnalysis;
using Xunit;

namespace DataCluster.Testing;

/// <summary>
/// What tests do when something they need from outside the test is missing (the real API
/// server's binaries, the published agent, kubectl): on a developer's machine they skip with a
/// message saying how to get it; under CI=true they fail, because a tier that silently skips in
/// CI hides a broken setup.
/// </summary>
public static class Prerequisite
{
    /// <summary>True when the CI variable says so; a missing prerequisite is then a failure, not a skip.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips the current test (fails it under CI) with <paramref name="problem"/>, which says how to fix it.</summary>
    [DoesNotReturn]
    public static void Missing(string problem)
    {
        Assert.SkipWhen(!IsCi, $"Skipped: {problem}");
        Assert.Fail($"CI=true and {problem}");
    }
}
