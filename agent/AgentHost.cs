using System.Net;
using DataCluster.Agent.Configuration;
using DataCluster.Agent.Hosting;
using DataCluster.Agent.Http;
using DataCluster.Agent.Observability;
using DataCluster.Agent.Peers;
using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent;

/// <summary>What a host is built from besides <see cref="AgentOptions"/>; tests replace parts.</summary>
public sealed record AgentHostSettings
{
    /// <summary>The API server and credentials; null = <see cref="KubeConfig.Load"/> (KUBECONFIG, ~/.kube/config, in-cluster).</summary>
    public KubeConfig? Kube { get; init; }

    /// <summary>The clock; null = the system clock.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Replaces the console logging the options ask for (tests route logs to their output).</summary>
    public Action<ILoggingBuilder>? Logging { get; init; }

    /// <summary>Interval of keep-alive comments on assignment streams; null = 15 s.</summary>
    public TimeSpan? StreamKeepAlive { get; init; }

    /// <summary>
    /// Resolves a member id to its peer-port URL; null = from the ring EndpointSlice
    /// (<see cref="PeerAddressBook"/>). Tests that run several agents on one address use it.
    /// </summary>
    public Func<string, Uri?>? PeerAddresses { get; init; }
}

/// <summary>Kestrel's endpoints as configured; their IPEndPoint holds the bound port once started.</summary>
internal sealed class AgentEndpoints
{
    public ListenOptions? Client { get; set; }

    public ListenOptions? Peer { get; set; }
}

/// <summary>A built agent: the web application, the control plane, the peer transport, and what to dispose.</summary>
public sealed class AgentApp : IAsyncDisposable
{
    private readonly IDisposable[] owned;
    private readonly AgentEndpoints endpoints;

    internal AgentApp(WebApplication web, AgentNode node, KubeClient client, GrpcPeerTransport peers, AgentEndpoints endpoints, params IDisposable[] owned)
    {
        Web = web;
        Node = node;
        Client = client;
        Peers = peers;
        this.endpoints = endpoints;
        this.owned = owned;
    }

    public WebApplication Web { get; }

    public AgentNode Node { get; }

    /// <summary>The agent's API-server client (tests dispose it to simulate a dead process).</summary>
    public KubeClient Client { get; }

    /// <summary>
    /// The peer transport: what the replication loop sends through and reads
    /// <see cref="IPeerTransport.Inbound"/> from (also registered as <see cref="IPeerTransport"/>).
    /// </summary>
    public GrpcPeerTransport Peers { get; }

    /// <summary>The client API's address once started, e.g. http://127.0.0.1:41234.</summary>
    public Uri? Address => endpoints.Client?.IPEndPoint is { Port: > 0 } bound ? PeerAddressBook.UrlOf(bound.Address.ToString(), bound.Port) : null;

    /// <summary>The peer port's address once started (HTTP/2 without TLS).</summary>
    public Uri? PeerAddress => endpoints.Peer?.IPEndPoint is { Port: > 0 } bound ? PeerAddressBook.UrlOf(bound.Address.ToString(), bound.Port) : null;

    public async ValueTask DisposeAsync()
    {
        // The container disposes the client.
        await Web.DisposeAsync().ConfigureAwait(false);
        foreach (var item in owned)
        {
            item.Dispose();
        }
    }
}

/// <summary>Builds and runs the agent: Kestrel on BindAddress:ClientPort serving the client API, and the control plane as a hosted service.</summary>
public static class AgentHost
{
    /// <summary>
    /// Runs the agent until SIGTERM/SIGINT; returns the process exit code: 0 after a clean stop,
    /// 2 when the peer token or the Kubernetes configuration cannot be read, 1 when the agent
    /// fails to start.
    /// </summary>
    public static async Task<int> RunAsync(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        AgentApp app;
        try
        {
            app = Build(options);
        }
        catch (Exception e) when (e is KubeConfigException or AgentConfigurationException)
        {
            await Console.Error.WriteLineAsync($"datacluster-agent: invalid configuration: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        await using (app.ConfigureAwait(false))
        {
            try
            {
                await app.Web.RunAsync().ConfigureAwait(false);
                return 0;
            }
            catch (IOException e)
            {
                // Kestrel could not bind: the address is taken or not local.
                await Console.Error.WriteLineAsync($"datacluster-agent: cannot listen on {options.BindAddress} ports {options.ClientPort} (client) and {options.PeerPort} (peer): {e.Message}").ConfigureAwait(false);
                return 1;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                await Console.Error.WriteLineAsync($"datacluster-agent: failed: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        }
    }

    /// <summary>
    /// Builds the agent without starting it: Kestrel on BindAddress:ClientPort for the client
    /// API and on BindAddress:PeerPort for the peer transport (HTTP/2, bearer token), each
    /// port answering only its own routes.
    /// </summary>
    /// <exception cref="AgentConfigurationException">The peer token file is missing, empty or unreadable.</exception>
    /// <exception cref="KubeConfigException">No usable Kubernetes configuration.</exception>
    public static AgentApp Build(AgentOptions options, AgentHostSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        settings ??= new AgentHostSettings();
        // First: without its token the agent could not tell its peers from anyone else.
        var token = PeerToken.Load(options.PeerTokenFile);
        var kube = settings.Kube ?? KubeConfig.Load();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        var endpoints = new AgentEndpoints();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.BindAddress, options.ClientPort, listen => endpoints.Client = listen);
            kestrel.ListenForPeers(options.BindAddress, options.PeerPort, listen => endpoints.Peer = listen);
        });
        builder.Logging.ClearProviders();
        if (settings.Logging is { } configure)
        {
            configure(builder.Logging);
        }
        else if (options.JsonLogs)
        {
            builder.Logging.AddJsonConsole(json =>
            {
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(text =>
            {
                text.SingleLine = true;
                text.UseUtcTimestamp = true;
                text.TimestampFormat = "HH:mm:ss.fff ";
            });
        }

        builder.Logging.SetMinimumLevel(options.LogLevel);
        // ASP.NET Core logs every request at Information; the agent's own lines say what matters.
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // A stop waits this long for leader release and open streams before giving up.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(10));

        var time = settings.Time ?? TimeProvider.System;
        var metrics = new AgentMetrics();
        builder.Services.AddSingleton(services => new KubeClient(kube, new KubeClientOptions(), services.GetRequiredService<ILoggerFactory>().CreateLogger<KubeClient>()));
        builder.Services.AddSingleton(services => new AgentNode(options, services.GetRequiredService<KubeClient>(), metrics, services.GetRequiredService<ILoggerFactory>(), time));
        builder.Services.AddHostedService<AgentService>();
        builder.Services.AddPeerTransport(services => new GrpcPeerTransport(
            new PeerTransportOptions { Self = options.PodName, Token = token },
            settings.PeerAddresses ?? new PeerAddressBook(services.GetRequiredService<AgentNode>().Context.Ring, options.PeerPort).Resolve,
            new PeerMetrics(metrics.Registry),
            services.GetRequiredService<ILoggerFactory>(),
            time));

        var web = builder.Build();
        var loggers = web.Services.GetRequiredService<ILoggerFactory>();
        var logger = loggers.CreateLogger("DataCluster.Agent");
        var node = web.Services.GetRequiredService<AgentNode>();
        var context = node.Context;
        if (settings.StreamKeepAlive is { } keepAlive)
        {
            context.StreamKeepAlive = keepAlive;
        }

        var tracing = AgentTracing.Start(options.OtlpEndpoint, options.PodName);
        if (tracing is not null)
        {
            AgentLog.TracingEnabled(logger, options.OtlpEndpoint!.ToString());
        }

        // Routing first, then the gate that keeps each port to its own routes, then the client API.
        web.UseRouting();
        web.UsePeerGate();
        UseAgentApi(web, context, logger);
        web.MapPeerService();
        var peers = web.Services.GetRequiredService<GrpcPeerTransport>();

        var lifetime = web.Services.GetRequiredService<IHostApplicationLifetime>();
        var app = new AgentApp(web, node, web.Services.GetRequiredService<KubeClient>(), peers, endpoints, new DisposableAction(() => tracing?.Dispose()));
        lifetime.ApplicationStarted.Register(() =>
        {
            AgentLog.Starting(logger, options.PodName, options.ClusterName, options.Namespace, kube.Server.ToString(), kube.Source ?? "configuration");
            AgentLog.Serving(logger, options.PodName, app.Address?.ToString() ?? "");
            PeerLog.Listening(loggers.CreateLogger("DataCluster.Agent.Peers"), options.PodName, app.PeerAddress?.ToString() ?? "");
        });

        // Readiness turns off first, before any service stops; peer streams close at once so
        // they do not hold the server's stop until its timeout.
        lifetime.ApplicationStopping.Register(context.BeginStopping);
        lifetime.ApplicationStopping.Register(peers.StopReceiving);
        return app;
    }

    /// <summary>
    /// The request pipeline and routes of the client API over <paramref name="context"/>:
    /// request metrics and spans, JSON for body-less error statuses, and <see cref="AgentApi"/>.
    /// </summary>
    public static void UseAgentApi(WebApplication web, AgentContext context, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(web);
        ArgumentNullException.ThrowIfNull(context);
        web.UseMiddleware<RequestObservation>(context.Metrics, logger);
        web.UseStatusCodePages(async pages =>
        {
            // Responses the framework ends without a body (405, 415, ...) get a JSON error too.
            var http = pages.HttpContext;
            await AgentApi.Error(http.Response.StatusCode, ErrorCode(http.Response.StatusCode), $"{http.Request.Method} {http.Request.Path} answered {http.Response.StatusCode}")
                .ExecuteAsync(http).ConfigureAwait(false);
        });
        AgentApi.Map(web, context);
    }

    private static string ErrorCode(int status) => status switch
    {
        StatusCodes.Status404NotFound => "not_found",
        StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
        StatusCodes.Status400BadRequest => "bad_request",
        StatusCodes.Status413PayloadTooLarge => "too_large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
        _ => "http_" + status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private sealed class DisposableAction(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
