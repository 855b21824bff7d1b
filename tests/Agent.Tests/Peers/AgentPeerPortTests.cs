using System.Net;
using System.Text.Json;
using DataCluster.Agent.Configuration;
using DataCluster.Agent.Peers;
using DataCluster.Agent.Tests.Support;
using DataCluster.Kube.Config;
using DataCluster.Replication;
using DataCluster.Replication.Messages;
using DataCluster.Testing.Logging;
using DataCluster.Testing.Telemetry;
using DataCluster.Testing;
using Microsoft.Extensions.Logging;
using Xunit;

namespace DataCluster.Agent.Tests.Peers;

/// <summary>
/// The whole agent host (<see cref="AgentHost.Build"/>) with its two ports. Its API server does
/// not answer (the control plane retries in the background), which the ports do not need.
/// </summary>
public sealed class AgentPeerPortTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly string _directory = Directory.CreateTempSubdirectory("agent-peer-").FullName;
    private readonly PeerDirectory _peers = new();
    private AgentApp _agent = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Nothing listens on the discard port: every API-server request fails at once.</summary>
    private static KubeConfig DeadApiServer => new() { Server = new Uri("http://127.0.0.1:9") };

    public async ValueTask InitializeAsync()
    {
        var tokenFile = Path.Combine(_directory, "token");
        await File.WriteAllTextAsync(tokenFile, PeerHost.Token.Value + "\n", Ct);
        var options = ApiHarness.Options(16) with { ClientPort = 0, PeerPort = 0, PeerTokenFile = tokenFile, DataDirectory = Path.Combine(_directory, "data") };
        var log = new TestLogger("dc-0 ");
        _agent = AgentHost.Build(options, new AgentHostSettings
        {
            Kube = DeadApiServer,
            Logging = logging => logging.AddProvider(log),
            PeerAddresses = _peers.Resolve,
        });
        await _agent.Web.StartAsync(Ct);
        _peers.Set("dc-0", _agent.PeerAddress);
    }

    public async ValueTask DisposeAsync()
    {
        await _agent.Web.StopAsync(CancellationToken.None);
        await _agent.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task The_peer_port_serves_only_the_peer_service_and_the_client_port_only_the_client_API()
    {
        var client = _agent.Address!;
        var peer = _agent.PeerAddress!;
        Assert.NotEqual(client.Port, peer.Port);
        var token = PeerHost.Token.HeaderValue;

        using var health = await PeerWire.GetAsync(client, "/healthz", null);
        using var ringOnPeerPort = await PeerWire.GetAsync(peer, "/v1/ring", token);
        using var healthOnPeerPort = await PeerWire.GetAsync(peer, "/healthz", token);
        using var ringWithoutToken = await PeerWire.GetAsync(peer, "/v1/ring", null);
        using var peerOnClientPort = await PeerWire.GetAsync(client, PeerWire.StreamPath, token);
        using var peerPostOnClientPort = await PostHttp11Async(client, PeerWire.StreamPath, token);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, ringOnPeerPort.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, healthOnPeerPort.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, ringWithoutToken.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, peerOnClientPort.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, peerPostOnClientPort.StatusCode);
        using var body = JsonDocument.Parse(await peerPostOnClientPort.Content.ReadAsStringAsync(Ct));
        Assert.Equal("not_found", body.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_agent_exchanges_messages_with_a_peer_both_ways()
    {
        await using var other = await PeerHost.StartAsync("dc-1", _peers);
        var atOther = new Received(other.Transport.Inbound);

        // The agent's own data plane reads its inbound messages, so its side is observed through
        // the transport's count of what arrived from dc-1.
        other.Send("dc-0", new Prepare(3, 7, ["dc-1", "dc-0"]));
        _agent.Peers.Send(new OutgoingMessage("dc-1", new PeerMessage([new Refusal(3, 7, RefusalReason.StaleTerm, 9, "dc-2")])));

        await Eventually.UntilAsync(
            () => _agent.Peers.Metrics.ItemsReceived.Value("dc-1") >= 1 && atOther.Items.Any(i => i.Item is Refusal { PromisedTo: "dc-2" }),
            Deadline,
            "each side receives the other's message",
            () => $"agent received {_agent.Peers.Metrics.ItemsReceived.Value("dc-1")}; dc-1 received {atOther}");
        var refusal = atOther.Items.First(i => i.Item is Refusal { PromisedTo: "dc-2" });
        Assert.Equal(("dc-0", 3, 9L), (refusal.From, refusal.Item.Partition, ((Refusal)refusal.Item).PromisedTerm));
        using var http = new HttpClient { BaseAddress = _agent.Address };
        var metrics = PrometheusText.Parse(await http.GetStringAsync("/metrics", Ct));
        Assert.True(metrics["datacluster_agent_peer_items_received_total"].Samples.Single(s => s.Label("peer") == "dc-1").Value >= 1);
        Assert.Equal(1, metrics["datacluster_agent_peer_connected"].Samples.Single(s => s.Label("peer") == "dc-1").Value);

        // The peer transport's rows of the documented table, now that both directions have traffic.
        foreach (var documented in DocumentedMetrics.Read(Path.Combine(LocalCluster.RepositoryLayout.Root(), "agent", "README.md"), "datacluster_agent_peer_")
            .Where(d => d.Name is not ("datacluster_agent_peer_items_dropped_total" or "datacluster_agent_peer_stream_failures_total" or "datacluster_agent_peer_rejected_total")))
        {
            Assert.True(metrics.TryGetValue(documented.Name, out var family), $"/metrics has no {documented.Name}");
            Assert.Equal(documented.Type, family.Type);
        }
    }

    [Fact]
    public async Task The_agent_refuses_to_start_without_a_peer_token_and_exits_with_code_2()
    {
        var missing = ApiHarness.Options(16) with { PeerTokenFile = Path.Combine(_directory, "absent") };
        var empty = ApiHarness.Options(16) with { PeerTokenFile = Path.Combine(_directory, "empty") };
        await File.WriteAllTextAsync(empty.PeerTokenFile, "\n", Ct);

        var notFound = Assert.Throws<AgentConfigurationException>(() => AgentHost.Build(missing, new AgentHostSettings { Kube = DeadApiServer }));
        var blank = Assert.Throws<AgentConfigurationException>(() => AgentHost.Build(empty, new AgentHostSettings { Kube = DeadApiServer }));

        Assert.StartsWith($"DATACLUSTER_PEER_TOKEN_FILE: '{missing.PeerTokenFile}' does not exist;", notFound.Message, StringComparison.Ordinal);
        Assert.StartsWith($"DATACLUSTER_PEER_TOKEN_FILE: '{empty.PeerTokenFile}' is empty;", blank.Message, StringComparison.Ordinal);
        Assert.Equal(2, await AgentHost.RunAsync(missing));
    }

    private static async Task<HttpResponseMessage> PostHttp11Async(Uri baseAddress, string path, string authorization)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, path)) { Content = new ByteArrayContent([0, 0, 0, 0]) };
        request.Headers.TryAddWithoutValidation("authorization", authorization);
        var response = await http.SendAsync(request, Ct);
        await response.Content.LoadIntoBufferAsync(Ct);
        return response;
    }
}
