using System.Diagnostics;
using System.Text.RegularExpressions;
using DataCluster.E2E.Tests.Support;
using DataCluster.LocalCluster;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.E2E.Tests;

/// <summary>`make demo` runs this program; here it runs non-interactively, so CI proves the demo works.</summary>
public sealed partial class DemoTests(E2EFixture fixture)
{
    /// <summary>The demo starts its own control plane and cluster; a minute or two on two busy cores.</summary>
    private static readonly TimeSpan DemoTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task The_demo_runs_every_step_non_interactively_and_cleans_up()
    {
        _ = fixture.Cluster; // skips like every end-to-end test when the assets or the agent are missing
        if (!OnPath("kubectl"))
        {
            Prerequisite.Missing("the demo needs kubectl on PATH (export PATH=\"$(hack/tools.sh):$PATH\").");
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        info.ArgumentList.Add(RepositoryPaths.DemoAssembly);
        info.ArgumentList.Add("--once");
        info.Environment[RepositoryLayout.AgentBinaryVariable] = RepositoryPaths.AgentBinary;
        using var demo = Process.Start(info)!;
        var stdout = demo.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = demo.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(DemoTimeout);
        try
        {
            await demo.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            demo.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout + await stderr;
        TestContext.Current.TestOutputHelper?.WriteLine(output);
        await File.WriteAllTextAsync(Path.Combine(RepositoryPaths.Root, "artifacts", "demo-output.txt"), output, TestContext.Current.CancellationToken);

        Assert.True(demo.ExitCode == 0, $"the demo exited with {demo.ExitCode}:\n{output}");
        Assert.Contains("$ kubectl get dc -n demo", output, StringComparison.Ordinal);
        Assert.Matches(ReadyCluster(), output);
        Assert.Contains("Owners of a few keys:", output, StringComparison.Ordinal);
        Assert.Matches(NewEpoch(), output);
        Assert.Matches(FirstWriteAfterKill(), output);
        Assert.Matches(ReadBackInOrder(), output);
        var kubeconfig = Assert.Single(ExportLine().Matches(output)).Groups["path"].Value;
        Assert.Contains("Stopped the agents, the operator", output, StringComparison.Ordinal);
        Assert.False(File.Exists(kubeconfig), $"the demo left its files behind ({kubeconfig})");
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, tool)));

    [GeneratedRegex(@"orders\s+True\s+3/3")]
    private static partial Regex ReadyCluster();

    [GeneratedRegex(@"New epoch \d+ \(was \d+\) served by .+ after the kill; .+ holds nothing\.")]
    private static partial Regex NewEpoch();

    [GeneratedRegex(@"All \d+ events acknowledged before and after the failover, in the order they were written\.")]
    private static partial Regex ReadBackInOrder();

    [GeneratedRegex(@"First acknowledged write on partition \d+ [\d.]+ s after the kill")]
    private static partial Regex FirstWriteAfterKill();

    [GeneratedRegex(@"export KUBECONFIG=(?<path>\S+); kubectl get dc,pods,leases -n demo")]
    private static partial Regex ExportLine();
}
