using DataCluster.Agent.Hosting;
using DataCluster.Agent.Peers;
using DataCluster.Kube.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DataCluster.Agent;

/// <summary>The client port's Kestrel endpoint and the peer port's listener; both hold the bound port once started.</summary>
internal sealed class AgentEndpoints
{
    public ListenOptions? Client { get; set; }

    public PeerListener? Peer { get; set; }
}

/// <summary>A built agent: the web application, the control plane, the peer transport, and what to dispose.</summary>
public sealed class AgentApp : IAsyncDisposable
{
    private readonly IDisposable[] _owned;
    private readonly AgentEndpoints _endpoints;

    internal AgentApp(WebApplication web, AgentNode node, KubeClient client, StreamPeerTransport peers, AgentEndpoints endpoints, params IDisposable[] owned)
    {
        Web = web;
        Node = node;
        Client = client;
        Peers = peers;
        _endpoints = endpoints;
        _owned = owned;
    }

    public WebApplication Web { get; }

    public AgentNode Node { get; }

    /// <summary>The agent's API-server client (tests dispose it to simulate a dead process).</summary>
    public KubeClient Client { get; }

    /// <summary>The peer transport the data plane sends through and reads from.</summary>
    public StreamPeerTransport Peers { get; }

    /// <summary>The client API's address once started, e.g. http://127.0.0.1:41234.</summary>
    public Uri? Address => _endpoints.Client?.IPEndPoint is { Port: > 0 } bound ? PeerAddressBook.UrlOf(bound.Address.ToString(), bound.Port) : null;

    /// <summary>The peer port's address once started (HTTP/1.1 without TLS, upgraded to the peer protocol).</summary>
    public Uri? PeerAddress => _endpoints.Peer?.LocalEndPoint is { Port: > 0 } bound ? PeerAddressBook.UrlOf(bound.Address.ToString(), bound.Port) : null;

    /// <summary>
    /// What SIGTERM does to the agent process: the planned handoff (at most the configured
    /// shutdown grace), then a stop of the whole agent. Returns the handoff's result.
    /// </summary>
    public async Task<HandoffResult> HandOffAndStopAsync(CancellationToken cancellationToken = default)
    {
        var result = await Node.HandOffAsync(Node.Context.Options.ShutdownGrace, cancellationToken).ConfigureAwait(false);
        await Web.StopAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        // The container disposes the client.
        await Web.DisposeAsync().ConfigureAwait(false);
        foreach (var item in _owned)
        {
            item.Dispose();
        }
    }
}
