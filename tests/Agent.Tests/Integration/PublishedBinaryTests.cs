using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using DataCluster.Agent.Peers;
using DataCluster.Agent.Tests.Peers;
using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.LocalCluster;
using DataCluster.Replication.Messages;
using DataCluster.Testing;
using DataCluster.Testing.Telemetry;
using Xunit;

namespace DataCluster.Agent.Tests.Integration;

/// <summary>
/// The trimmed, ReadyToRun executable that `make publish-agent` produces (hack/test.sh publishes
/// it first and names it in DATACLUSTER_AGENT_BINARY): it must start, talk to a real API server
/// (JSON and the Kubernetes client survive trimming), serve its API, and stop cleanly on SIGTERM.
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
            Prerequisite.Missing($"the published agent {binary} is missing: run `make publish-agent` (hack/test.sh does) to test the trimmed binary.");
        }

        return binary;
    }

    [Fact]
    public async Task The_trimmed_binary_joins_a_ring_serves_its_API_and_exits_0_on_SIGTERM_releasing_leadership()
    {
        var binary = Binary();
        fixture.RequireControlPlane();
        await using var cluster = await TestCluster.CreateAsync(fixture, members: 1);
        var port = FreePort.OnLoopback();
        var peerPort = FreePort.OnLoopback();
        var output = new StringBuilder();
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
        info.Environment[AgentEnvironment.LogFormat] = "json";
        info.Environment["KUBECONFIG"] = fixture.Plane.WriteKubeconfig("admin", cluster.Namespace);
        foreach (var (name, value) in AgentRuntimeEnvironment.All)
        {
            // As the operator's container runs it.
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Eventually.UntilAsync(async () =>
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

            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz", Ct)).StatusCode);
            using var ring = JsonDocument.Parse(await http.GetStringAsync("/v1/ring", Ct));
            Assert.Equal(1, ring.RootElement.GetProperty("epoch").GetInt64());
            Assert.Equal("dc-0", ring.RootElement.GetProperty("leader").GetString());
            Assert.Equal("127.0.0.11:8080", ring.RootElement.GetProperty("members")[0].GetProperty("address").GetString());
            using var owners = JsonDocument.Parse(await http.GetStringAsync("/v1/owners/server-1", Ct));
            Assert.Equal("dc-0", owners.RootElement.GetProperty("leader").GetProperty("id").GetString());
            Assert.Contains("datacluster_agent_is_cluster_leader 1", await http.GetStringAsync("/metrics", Ct), StringComparison.Ordinal);

            // The peer port: the token gate, gRPC and protobuf survive trimming.
            var peerAddress = new Uri($"http://127.0.0.1:{peerPort}");
            using (var refused = await PeerWire.GetAsync(peerAddress, "/", null, HttpVersion.Version20))
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
                    "the trimmed agent receives a peer batch");
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

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
