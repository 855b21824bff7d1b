using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Peers;

/// <summary>
/// Puts the peer transport into a host: the transport (also served as <see cref="IPeerTransport"/>)
/// and the peer port's <see cref="PeerListener"/>, which the host starts and stops. The agent's
/// host uses it; tests build smaller hosts from the same piece. The peer port is not the web
/// server's, so the client port has no peer routes and the peer port no client routes.
/// </summary>
public static class PeerHosting
{
    /// <summary>
    /// Registers the transport built by <paramref name="create"/> and a listener for it on
    /// <paramref name="address"/>:<paramref name="port"/> (port 0 picks a free port; read it
    /// from <see cref="PeerListener.LocalEndPoint"/> once the host started).
    /// </summary>
    public static IServiceCollection AddPeerTransport(this IServiceCollection services, Func<IServiceProvider, StreamPeerTransport> create, IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(address);
        services.AddSingleton(create);
        services.AddSingleton<IPeerTransport>(provider => provider.GetRequiredService<StreamPeerTransport>());
        services.AddSingleton(provider => new PeerListener(provider.GetRequiredService<StreamPeerTransport>(), address, port, provider.GetRequiredService<ILoggerFactory>()));
        services.AddHostedService(provider => provider.GetRequiredService<PeerListener>());
        return services;
    }
}
