using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.Operator.Tests.Integration;

/// <summary>The operator process with a kubeconfig whose user is an exec credential plugin.</summary>
[Collection(OperatorCollection.Name)]
public sealed class ExecKubeconfigTests(OperatorFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("operator-exec-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A bash plugin that counts its runs in plugin.count and then runs <paramref name="body"/>.</summary>
    private string WritePlugin(string body)
    {
        var path = Path.Combine(_directory, "plugin");
        File.WriteAllText(path, $"#!/bin/bash\necho run >> '{path}.count'\n{body}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    private int PluginRuns() => File.Exists(Path.Combine(_directory, "plugin.count")) ? File.ReadAllLines(Path.Combine(_directory, "plugin.count")).Length : 0;

    private string WriteKubeconfig(Uri server, string? caFile, string? @namespace)
    {
        var path = Path.Combine(_directory, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            current-context: c
            clusters:
            - name: k
              cluster:
                server: {server.ToString().TrimEnd('/')}
                {(caFile is null ? "insecure-skip-tls-verify: true" : "certificate-authority: " + caFile)}
            users:
            - name: exec-user
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: ./plugin
                  interactiveMode: Never
            contexts:
            - name: c
              context:
                cluster: k
                user: exec-user
                namespace: {@namespace ?? "default"}

            """);
        return path;
    }

    private static Process Start(params string[] arguments) => Process.Start(new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "datacluster-operator"), arguments)
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    })!;

    [Fact]
    public async Task The_process_authenticates_through_an_exec_plugin_and_becomes_ready()
    {
        await fixture.RequireOperatorAsync();
        var ns = await fixture.CreateNamespaceAsync("exec");
        WritePlugin($$$"""echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"{{{fixture.TokenFor("operator")}}}"}}'""");
        var health = $"127.0.0.1:{FreePort()}";
        using var process = Start(
            "run", "--kubeconfig", WriteKubeconfig(fixture.Server, fixture.CaFile, ns), "--namespaces", ns, "--leader-elect=false",
            "--metrics-bind-address", "0", "--health-probe-bind-address", health, "--agent-image", OperatorFixture.AgentImage);
        var lines = new ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                lines.Enqueue(line);
            }
        };
        process.BeginOutputReadLine();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await Eventually.UntilAsync(async () => !process.HasExited && (await http.GetAsync(new Uri($"http://{health}/readyz"), Ct)).IsSuccessStatusCode,
                Converge.Timeout, "the process reports ready", () => string.Join('\n', lines));

            // Ready means its informers listed DataClusters and the rest with the plugin's token.
            // The line may reach the pipe a moment after /readyz turns 200: the console logger
            // writes from a queue.
            await Eventually.UntilAsync(() => lines.Any(l => l.Contains("Caches synced", StringComparison.Ordinal)),
                Converge.Timeout, "the process logs that its caches synced", () => string.Join('\n', lines));
            Assert.Equal(1, PluginRuns());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task A_failing_exec_plugin_stops_the_process_with_exit_code_2_and_one_line()
    {
        var plugin = WritePlugin("echo 'error: the login for profile ops has expired' >&2\necho 'run: sso login --profile ops' >&2\nexit 1");
        var kubeconfig = WriteKubeconfig(new Uri("https://127.0.0.1:1"), caFile: null, @namespace: null);
        using var process = Start("run", "--kubeconfig", kubeconfig, "--leader-elect=false", "--metrics-bind-address", "0",
            "--health-probe-bind-address", $"127.0.0.1:{FreePort()}", "--agent-image", OperatorFixture.AgentImage);

        var error = await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);

        Assert.Equal(2, process.ExitCode);
        Assert.Equal(
            $"datacluster-operator: cannot get Kubernetes credentials: kubeconfig {kubeconfig} user 'exec-user': exec plugin {plugin} exited with code 1; " +
            "run it by hand to see why (stderr: error: the login for profile ops has expired run: sso login --profile ops)",
            error.TrimEnd());
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
