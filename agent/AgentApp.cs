using DataCluster.Agent.Hosting;
using DataCluster.Kube.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace DataCluster.Agent;

/// <summary>A built agent: the web application, the control plane, and what to dispose.</summary>
public sealed class AgentApp : IAsyncDisposable
{
    private readonly IDisposable[] _owned;

    internal AgentApp(WebApplication web, AgentNode node, KubeClient client, params IDisposable[] owned)
    {
        Web = web;
        Node = node;
        Client = client;
        _owned = owned;
    }

    public WebApplication Web { get; }

    public AgentNode Node { get; }

    /// <summary>The agent's API-server client (tests dispose it to simulate a dead process).</summary>
    public KubeClient Client { get; }

    /// <summary>The address Kestrel listens on once started, e.g. http://127.0.0.1:41234.</summary>
    public Uri? Address => Web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
        .Select(a => new Uri(a)).FirstOrDefault();

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
