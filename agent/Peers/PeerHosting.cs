using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace DataCluster.Agent.Peers;

/// <summary>
/// The pieces that put the peer transport into a web host, in the order a host uses them:
/// <see cref="ListenForPeers"/> (Kestrel), <see cref="AddPeerTransport"/> (services),
/// <see cref="UsePeerGate"/> (first middleware after routing) and <see cref="MapPeerService"/>.
/// The agent's host uses all four; tests build smaller hosts from the same pieces.
/// </summary>
public static class PeerHosting
{
    /// <summary>
    /// The receiver's TCP keepalive probes a peer's connection after this long without traffic,
    /// once a second, and closes it after as many unanswered probes. It only frees the receiving
    /// side of a sender that vanished (the sender probes on its own, sooner); 10 s + 10 s keeps
    /// that cleanup well under a minute without probing busy connections.
    /// </summary>
    private static readonly TimeSpan ServerPingDelay = TimeSpan.FromSeconds(10);

    /// <summary>See <see cref="ServerPingDelay"/>.</summary>
    private static readonly TimeSpan ServerPingTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Adds the peer endpoint: <paramref name="address"/>:<paramref name="port"/>, HTTP/1.1
    /// without TLS (streams are upgraded connections, <see cref="PeerStream"/>), its
    /// connections marked so that <see cref="PeerGate"/> tells them from the client port's. Port 0 picks a free port; read it from
    /// <see cref="ListenOptions.IPEndPoint"/> (passed to <paramref name="configured"/>) once started.
    /// </summary>
    public static void ListenForPeers(this KestrelServerOptions kestrel, IPAddress address, int port, Action<ListenOptions>? configured = null)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        kestrel.Listen(address, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.Use(next => connection =>
            {
                connection.Features.Set(PeerConnectionFeature.Instance);
                if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
                {
                    // A sender that vanished is let go; it probes on its own, sooner.
                    PeerStream.KeepAlive(socket, ServerPingDelay, ServerPingTimeout, bounded: false);
                }

                return next(connection);
            });
            configured?.Invoke(listen);
        });
    }

    /// <summary>
    /// Registers the transport (built by <paramref name="create"/>, also served as
    /// <see cref="IPeerTransport"/>) and the peer service.
    /// </summary>
    public static IServiceCollection AddPeerTransport(this IServiceCollection services, Func<IServiceProvider, StreamPeerTransport> create)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(create);
        services.AddSingleton(create);
        services.AddSingleton<IPeerTransport>(provider => provider.GetRequiredService<StreamPeerTransport>());
        services.AddSingleton<PeerService>();
        return services;
    }

    /// <summary>
    /// Adds <see cref="PeerGate"/>. Call it before any other middleware and after routing
    /// (<c>UseRouting</c>), because it decides by the matched endpoint.
    /// </summary>
    public static IApplicationBuilder UsePeerGate(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseMiddleware<PeerGate>();
    }

    /// <summary>Maps the peer service; <see cref="PeerGate"/> keeps it to the peer port.</summary>
    public static void MapPeerService(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var service = endpoints.ServiceProvider.GetRequiredService<PeerService>();
        endpoints.MapGet(PeerStream.Path, service.HandleAsync).WithMetadata(PeerEndpointMetadata.Instance);
    }
}
