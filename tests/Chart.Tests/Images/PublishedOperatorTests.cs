using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DataCluster.Chart.Tests.Chart;
using DataCluster.Chart.Tests.Support;
using DataCluster.Testing;
using DataCluster.LocalCluster.ControlPlane;
using Xunit;

namespace DataCluster.Chart.Tests.Images;

/// <summary>
/// The operator as the image ships it (trimmed, ReadyToRun, self-contained: make
/// publish-operator) runs against a real API server: trimming must not have taken anything it
/// needs at run time.
/// </summary>
[Collection(ChartClusterCollection.Name)]
public sealed class PublishedOperatorTests(ChartClusterFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task The_published_operator_leads_and_reconciles_a_DataCluster()
    {
        var binary = LocalCluster.RepositoryLayout.OperatorBinary(Repository.Root);
        if (!File.Exists(binary))
        {
            Prerequisite.Missing($"the published operator is missing at {binary}: run make publish-operator.");
        }

        await fixture.PrepareAsync();
        var ns = await fixture.CreateNamespaceAsync("published");
        var (metricsPort, healthPort) = (FreePort(), FreePort());
        var log = new StringBuilder();
        var start = new ProcessStartInfo(binary,
        [
            "--kubeconfig", fixture.KubeconfigPath, $"--namespaces={ns}", $"--leader-election-namespace={ns}",
            $"--metrics-bind-address=127.0.0.1:{metricsPort}", $"--health-probe-bind-address=127.0.0.1:{healthPort}",
            "--agent-image=registry.example/datacluster-agent:test", "--log-format=text",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["POD_NAME"] = $"published-{ns}" },
        };
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string Log()
        {
            lock (log)
            {
                return $"exited: {process.HasExited}\n{log}";
            }
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            await Eventually.UntilAsync(async () => (await TryGetAsync(http, $"http://127.0.0.1:{healthPort}/readyz")).Contains("leading, caches synced", StringComparison.Ordinal),
                Timeout, "the published operator leads with synced caches", Log, TimeSpan.FromMilliseconds(500));

            (await Run.ProcessAsync(Tools.Kubectl, ["--kubeconfig", fixture.KubeconfigPath, "apply", "-n", ns, "-f", "crds/samples/minimal.yaml"])).Succeeded("kubectl apply of the sample");

            await Eventually.UntilAsync(async () => (await Kubectl(ns, "get", "statefulset", "minimal", "-o", "jsonpath={.spec.template.spec.containers[0].image}")) == "registry.example/datacluster-agent:test",
                Timeout, "the published operator creates the StatefulSet with the agent", Log, TimeSpan.FromMilliseconds(500));
            await Eventually.UntilAsync(async () => (await Kubectl(ns, "get", "dc", "minimal", "-o", "jsonpath={.status.conditions[?(@.type==\"Reconciling\")].status}")) == "True",
                Timeout, "the published operator writes the status", Log, TimeSpan.FromMilliseconds(500));
            Assert.Contains("datacluster_operator_leader 1", await TryGetAsync(http, $"http://127.0.0.1:{metricsPort}/metrics"), StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private async Task<string> Kubectl(string ns, params string[] arguments)
    {
        var result = await Run.ProcessAsync(Tools.Kubectl, ["--kubeconfig", fixture.KubeconfigPath, "-n", ns, .. arguments]);
        return result.ExitCode == 0 ? result.Output.Trim() : "";
    }

    private static async Task<string> TryGetAsync(HttpClient http, string url)
    {
        try
        {
            return await http.GetStringAsync(new Uri(url), TestContext.Current.CancellationToken);
        }
        catch (HttpRequestException)
        {
            return "";
        }
        catch (TaskCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return "";
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
