using System.Diagnostics;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.Operator.Tests.Integration;

/// <summary>What users see with kubectl.</summary>
[Collection(OperatorCollection.Name)]
public sealed class KubectlTests(OperatorFixture fixture)
{
    private static string? Kubectl()
    {
        var directories = new[] { Environment.GetEnvironmentVariable("DATACLUSTER_TOOLS") }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator));
        return directories.Where(d => !string.IsNullOrEmpty(d)).Select(d => Path.Combine(d!, "kubectl")).FirstOrDefault(File.Exists);
    }

    [Fact]
    public async Task Kubectl_get_dc_prints_name_ready_members_leader_epoch_and_age()
    {
        await fixture.RequireOperatorAsync();
        var kubectl = Kubectl();
        if (kubectl is null)
        {
            Prerequisite.Missing("kubectl is missing: run hack/tools.sh and put its directory in DATACLUSTER_TOOLS or PATH.");
        }

        var ns = await fixture.CreateNamespaceAsync("kubectl");
        await using var simulation = new Simulation(fixture, ns);
        await Clusters.CreateAsync(fixture.Admin, Clusters.New(ns, "shown"));
        var ready = await Converge.ReadyAsync(fixture, ns, "shown", 3);

        var start = new ProcessStartInfo(kubectl, ["--kubeconfig", fixture.KubeconfigPath, "get", "dc", "-n", ns])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine(output);

        Assert.True(process.ExitCode == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["NAME", "READY", "MEMBERS", "LEADER", "EPOCH", "AGE"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var row = Assert.Single(lines[1..]).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("shown", row[0]);
        Assert.Equal("True", row[1]);
        Assert.Equal("3/3", row[2]);
        Assert.Equal(ready.Status!.Leader, row[3]);
        Assert.True(long.Parse(row[4], System.Globalization.CultureInfo.InvariantCulture) >= ready.Status.AssignmentEpoch);
        Assert.Matches("^[0-9]+[smhd]", row[5]);
    }
}
