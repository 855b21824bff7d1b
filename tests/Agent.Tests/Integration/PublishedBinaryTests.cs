using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using DataCluster.Agent.Peers;
using DataCluster.Agent.Tests.Peers;
using DataCluster.Agent.Tests.Support;
using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.LocalCluster;
using DataCluster.Replication.Messages;
using DataCluster.Testing;
using DataCluster.Testing.Telemetry;
using Xunit;

namespace DataCluster.Agent.Tests.Integration;

/// <summary>
/// The Native AOT executable that `make publish-agent` produces (hack/test.sh publishes it first
/// and names it in DATACLUSTER_AGENT_BINARY): it must start, talk to a real API server (JSON and
/// the Kubernetes client without runtime code generation), authenticate through an exec plugin,
/// serve its API and the peer port, export over OTLP, refuse a bad configuration with exit code 2,
/// and stop cleanly on SIGTERM.
/// </summary>
[Collection(AgentsCollection.Name)]
public sealed class PublishedBinaryTests(ControlPlaneFixture fixture)
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The published agent (DATACLUSTER_AGENT_BINARY, or artifacts/agent); hack/test.sh publishes it before the tests.</summary>
    private static string Binary()
    {
        var binary = RepositoryLayout.AgentBinary(RepositoryLayout.Root());
        if (!File.Exists(binary))
        {
            Prerequisite.Missing($"the published agent {binary} is missing: run `make publish-agent` (hack/test.sh does) to test the native binary.");
        }

        return binary;
    }

    [Fact]
    public async Task The_native_binary_prints_its_help_and_exits_2_on_a_bad_configuration()
    {
        var binary = Binary();

        var (helpExit, help) = await RunToEndAsync(new ProcessStartInfo(binary, "--help"));
        var bad = new ProcessStartInfo(binary);
        bad.Environment.Clear();
        bad.Environment[AgentEnvironment.ClusterName] = "Not_A_Label";
        var (badExit, refusal) = await RunToEndAsync(bad);

        Assert.True(helpExit == 0, $"--help exited with {helpExit}:\n{help}");
        Assert.Contains(AgentEnvironment.PeerTokenFile, help, StringComparison.Ordinal);
        Assert.True(badExit == 2, $"a bad configuration exited with {badExit}:\n{refusal}");
        Assert.Contains($"{AgentEnvironment.ClusterName}:", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_native_binary_authenticates_through_an_exec_plugin_and_exports_over_OTLP()
    {
        var binary = Binary();
        fixture.RequireControlPlane();
        await using var receiver = await OtlpReceiver.StartAsync(Ct);
        await using var cluster = await TestCluster.CreateAsync(fixture, members: 1);
        var directory = Directory.CreateTempSubdirectory("agent-native-exec-").FullName;
        var plugin = Path.Combine(directory, "get-token");
        File.WriteAllText(plugin, $$$"""
            #!/bin/bash
            echo run >> '{{{plugin}}}.count'
            echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"{{{fixture.AdminToken}}}"}}'

            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var kubeconfig = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            current-context: c
            clusters:
            - name: k
              cluster: {"{"}server: "{fixture.Server.ToString().TrimEnd('/')}", certificate-authority: "{fixture.CaFile}"{"}"}
            users:
            - name: agent
              user:
                exec: {"{"}apiVersion: client.authentication.k8s.io/v1beta1, command: ./get-token{"}"}
            contexts:
            - name: c
              context: {"{"}cluster: k, user: agent{"}"}

            """);
        var (info, port, _) = AgentStartInfo(binary, cluster, kubeconfig);
        info.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString();
        info.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        // Milliseconds: export within the test's patience rather than every 60 s and 5 s.
        info.Environment["OTEL_METRIC_EXPORT_INTERVAL"] = "300";
        info.Environment["OTEL_BSP_SCHEDULE_DELAY"] = "100";
        var output = new StringBuilder();
        using var process = Start(info, output);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitReadyAsync(http, process, output);

            using var ring = JsonDocument.Parse(await http.GetStringAsync("/v1/ring", Ct));
            Assert.Equal("dc-0", ring.RootElement.GetProperty("leader").GetString());
            Assert.Single(File.ReadAllLines(plugin + ".count"));
            await Eventually.UntilAsync(
                () => receiver.SpanNames().Contains("publish assignment") && receiver.MetricNames().Contains("datacluster.agent.partitions_held"),
                Hang,
                "the receiver has the native agent's publish span and its metrics");
            Assert.All(receiver.Exports, export => Assert.Equal("application/x-protobuf", export.ContentType));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            TestContext.Current.TestOutputHelper?.WriteLine(output.ToString());
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task The_native_binary_joins_a_ring_serves_its_API_and_exits_0_on_SIGTERM_releasing_leadership()
    {
        var binary = Binary();
        fixture.RequireControlPlane();
        await using var cluster = await TestCluster.CreateAsync(fixture, members: 1);
        var (info, port, peerPort) = AgentStartInfo(binary, cluster, fixture.Plane.WriteKubeconfig("admin", cluster.Namespace));
        info.Environment[AgentEnvironment.LogFormat] = "json";
        var output = new StringBuilder();
        using var process = Start(info, output);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitReadyAsync(http, process, output);

            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz", Ct)).StatusCode);
            using var ring = JsonDocument.Parse(await http.GetStringAsync("/v1/ring", Ct));
            Assert.Equal(1, ring.RootElement.GetProperty("epoch").GetInt64());
            Assert.Equal("dc-0", ring.RootElement.GetProperty("leader").GetString());
            Assert.Equal("127.0.0.11:8080", ring.RootElement.GetProperty("members")[0].GetProperty("address").GetString());
            using var owners = JsonDocument.Parse(await http.GetStringAsync("/v1/owners/server-1", Ct));
            Assert.Equal("dc-0", owners.RootElement.GetProperty("leader").GetProperty("id").GetString());
            Assert.Contains("datacluster_agent_is_cluster_leader 1", await http.GetStringAsync("/metrics", Ct), StringComparison.Ordinal);

            // The peer port: the token gate, the upgraded stream and protobuf without runtime code generation.
            var peerAddress = new Uri($"http://127.0.0.1:{peerPort}");
            using (var refused = await PeerWire.GetAsync(peerAddress, "/", null))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            }

            var peers = new PeerDirectory();
            peers.Set("dc-0", peerAddress);
            await using (var peer = await PeerHost.StartAsync("dc-1", peers, token: PeerToken.FromValue(await File.ReadAllTextAsync(cluster.PeerTokenFile, Ct))))
            {
                peer.Send("dc-0", new Heartbeat(0, 1, 5));
                await Eventually.UntilAsync(
                    async () => PrometheusText.Parse(await http.GetStringAsync("/metrics", Ct)).TryGetValue("datacluster_agent_peer_items_received_total", out var received)
                        && received.Samples.Any(s => s.Label("peer") == "dc-1" && s.Value == 1),
                    Hang,
                    "the native agent receives a peer batch");
            }

            // JSON console logs with the agent's event ids (the console logger writes from a queue).
            await Eventually.UntilAsync(
                () =>
                {
                    lock (output)
                    {
                        return output.ToString().Contains("\"EventId\":13001,\"LogLevel\":\"Information\",\"Category\":\"DataCluster.Agent.Publisher\",\"Message\":\"Published assignment epoch 1", StringComparison.Ordinal);
                    }
                },
                Hang,
                "the publish is logged as a JSON line with its event id");

            Assert.Equal(0, Kill(process.Id, 15));
            using var exit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            exit.CancelAfter(Hang);
            await process.WaitForExitAsync(exit.Token);
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}:\n{output}");
            var lease = await cluster.Admin.GetAsync(KubeResources.Leases, cluster.Namespace, ObjectNames.LeaderLease(TestCluster.Name), Ct);
            Assert.True(string.IsNullOrEmpty(lease!.Spec.HolderIdentity), "the leader Lease was released on SIGTERM");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            TestContext.Current.TestOutputHelper?.WriteLine(output.ToString());
        }
    }

    /// <summary>The environment the operator's container gives the agent, for member 0 of <paramref name="cluster"/> on free loopback ports.</summary>
    private static (ProcessStartInfo Info, int Port, int PeerPort) AgentStartInfo(string binary, TestCluster cluster, string kubeconfig)
    {
        var port = FreePort.OnLoopback();
        var peerPort = FreePort.OnLoopback();
        var info = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment[AgentEnvironment.ClusterName] = TestCluster.Name;
        info.Environment[AgentEnvironment.PodName] = ObjectNames.Pod(TestCluster.Name, 0);
        info.Environment[AgentEnvironment.PodNamespace] = cluster.Namespace;
        info.Environment[AgentEnvironment.PodIp] = "127.0.0.11";
        info.Environment[AgentEnvironment.BindAddress] = "127.0.0.1";
        info.Environment[AgentEnvironment.ClientPort] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment[AgentEnvironment.PeerPort] = peerPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment[AgentEnvironment.PeerTokenFile] = cluster.PeerTokenFile;
        info.Environment[AgentEnvironment.DataDirectory] = cluster.DataDirectory(0);
        info.Environment[AgentEnvironment.Partitions] = TestCluster.Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["KUBECONFIG"] = kubeconfig;
        foreach (var (name, value) in AgentRuntimeEnvironment.All)
        {
            // As the operator's container runs it.
            info.Environment[name] = value;
        }

        return (info, port, peerPort);
    }

    private static Process Start(ProcessStartInfo info, StringBuilder output)
    {
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static Task WaitReadyAsync(HttpClient http, Process process, StringBuilder output) =>
        Eventually.UntilAsync(async () =>
        {
            try
            {
                return (await http.GetAsync("/readyz", Ct)).StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                Assert.False(process.HasExited, $"the agent exited with {(process.HasExited ? process.ExitCode : 0)}:\n{output}");
                return false;
            }
        }, Hang, "the published agent is ready");

    /// <summary>Runs a short-lived invocation of the binary and returns its exit code and everything it wrote.</summary>
    private static async Task<(int ExitCode, string Output)> RunToEndAsync(ProcessStartInfo info)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var exit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        exit.CancelAfter(Hang);
        try
        {
            await process.WaitForExitAsync(exit.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
