using System.Net;
using Microsoft.AspNetCore.Builder;
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
    /// The server pings a peer's connection after this long without hearing from it, and closes
    /// it when the ping goes unanswered for as long again. It only frees the receiving side of
    /// a sender that vanished (the sender pings on its own, sooner); 10 s + 10 s keeps that
    /// cleanup well under a minute without pinging busy connections, which always have traffic.
    /// </summary>
    private static readonly TimeSpan ServerPingDelay = TimeSpan.FromSeconds(10);

    /// <summary>See <see cref="ServerPingDelay"/>.</summary>
    private static readonly TimeSpan ServerPingTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Adds the peer endpoint: <paramref name="address"/>:<paramref name="port"/>, HTTP/2 without
    /// TLS (clients use prior knowledge), its connections marked so that <see cref="PeerGate"/>
    /// tells them from the client port's. Port 0 picks a free port; read it from
    /// <see cref="ListenOptions.IPEndPoint"/> (passed to <paramref name="configured"/>) once started.
    /// </summary>
    public static void ListenForPeers(this KestrelServerOptions kestrel, IPAddress address, int port, Action<ListenOptions>? configured = null)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        kestrel.Limits.Http2.KeepAlivePingDelay = ServerPingDelay;
        kestrel.Limits.Http2.KeepAlivePingTimeout = ServerPingTimeout;
        kestrel.Listen(address, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.Use(next => connection =>
            {
                connection.Features.Set(PeerConnectionFeature.Instance);
                return next(connection);
            });
            configured?.Invoke(listen);
        });
    }

    /// <summary>
    /// Registers gRPC, the transport (built by <paramref name="create"/>, also served as
    /// <see cref="IPeerTransport"/>) and the peer service.
    /// </summary>
    public static IServiceCollection AddPeerTransport(this IServiceCollection services, Func<IServiceProvider, GrpcPeerTransport> create)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(create);
        services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = PeerTransportOptions.MaxMessageBytes;
            grpc.EnableDetailedErrors = false;
        });
        services.AddSingleton(create);
        services.AddSingleton<IPeerTransport>(provider => provider.GetRequiredService<GrpcPeerTransport>());
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
        endpoints.MapGrpcService<PeerService>().WithMetadata(PeerEndpointMetadata.Instance);
    }
}
