using System.Diagnostics.Metrics;
using System.Net;
using DataCluster.Agent.Configuration;
using DataCluster.Agent.DataPlane;
using DataCluster.Agent.Delivery;
using DataCluster.Agent.Hosting;
using DataCluster.Agent.Http;
using DataCluster.Agent.Observability;
using DataCluster.Agent.Peers;
using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.Replication;
using DataCluster.Storage;
using DataCluster.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent;

/// <summary>Builds and runs the agent: Kestrel on BindAddress:ClientPort serving the client API, and the control plane as a hosted service.</summary>
public static class AgentHost
{
    /// <summary>
    /// Runs the agent until SIGTERM/SIGINT; returns the process exit code: 0 after a clean stop,
    /// 2 when the peer token or the Kubernetes configuration cannot be read or its credentials
    /// cannot be obtained, 1 when the agent fails to start.
    /// </summary>
    public static async Task<int> RunAsync(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        AgentApp app;
        try
        {
            app = Build(options, new AgentHostSettings { HandOffOnSignal = true });
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
                // A broken exec credential plugin (or login) stops the start here, on one line.
                await app.Client.EnsureCredentialsAsync().ConfigureAwait(false);
            }
            catch (KubeConfigException e)
            {
                await Console.Error.WriteLineAsync($"datacluster-agent: cannot get Kubernetes credentials: {e.Message}").ConfigureAwait(false);
                return 2;
            }

            try
            {
                await app.Web.RunAsync().ConfigureAwait(false);
                return Environment.ExitCode;
            }
            catch (IOException e)
            {
                // Kestrel or the peer listener could not bind: the address is taken or not local.
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
    /// API, and the peer transport's own listener on BindAddress:PeerPort (upgraded HTTP/1.1
    /// streams, bearer token; <see cref="PeerListener"/>), each port answering only its own routes.
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

        var builder = WebApplication.CreateSlimBuilder(DataClusterWebHost.Options());
        var endpoints = new AgentEndpoints();
        // A request's parsing and handler continue on the thread that completed the socket read
        // instead of being queued to the thread pool once more, and a write's answer is written
        // on the replication loop's thread that completes it (DataPlane.WriteAsync): a thread
        // hand-over less each way (docs/performance.md, "Where the time goes"). Socket
        // completions themselves still run on the thread pool, so a slow handler never holds
        // the socket engine's own thread.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.BindAddress, options.ClientPort, listen => endpoints.Client = listen);
        });
        if (settings.Logging is { } configure)
        {
            builder.Logging.ClearProviders();
            configure(builder.Logging);
            builder.Logging.SetMinimumLevel(options.LogLevel).WithQuietFramework();
        }
        else
        {
            builder.Logging.AddDataClusterConsole(options.JsonLogs ? LogFormats.Json : LogFormats.Text, options.LogLevel);
        }

        // A stop waits this long for leader release and open streams before giving up.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(Contracts.Limits.ShutdownGraceSeconds.HostStopSeconds));
        if (settings.HandOffOnSignal)
        {
            builder.Services.AddSingleton<IHostLifetime, AgentLifetime>();
        }

        if (settings.Configuration is { } configuration)
        {
            builder.Configuration.AddInMemoryCollection(configuration);
        }

        var time = settings.Time ?? TimeProvider.System;
        var otlp = AgentTelemetry.Add(builder, options);
        builder.Services.AddSingleton(services => new KubeClient(kube, new KubeClientOptions(), services.GetRequiredService<ILoggerFactory>().CreateLogger<KubeClient>()));
        builder.Services.AddSingleton(services =>
        {
            var loggerFactory = services.GetRequiredService<ILoggerFactory>();
            var metrics = services.GetRequiredService<AgentMetrics>();
            // Stand-ins are chosen from the ring the control plane keeps, which exists once the
            // node does: resolve it at first use, on the data plane's loop.
            var ring = new Lazy<Membership.RingView>(() => services.GetRequiredService<AgentNode>().Context.Ring);
            var data = new DataPlane.DataPlane(
                DataPlaneOptionsOf(options, () => ring.Value.Current.Members) with { MeterFactory = services.GetRequiredService<IMeterFactory>() },
                services.GetRequiredService<StreamPeerTransport>(),
                new DataPlaneMetrics(metrics.Meter),
                loggerFactory.CreateLogger("DataCluster.Agent.DataPlane"),
                time);
            var delivery = options.AppDeliveryUrl is { } url
                ? new AppDelivery(data, new AppDeliveryOptions { Url = url }, options.PodName, loggerFactory.CreateLogger("DataCluster.Agent.Delivery"), time)
                : null;
            return new AgentNode(options, services.GetRequiredService<KubeClient>(), metrics, loggerFactory, time, data, delivery);
        });
        builder.Services.AddHostedService<AgentService>();
        builder.Services.AddPeerTransport(services =>
        {
            // The address book reads the ring the control plane keeps, and the control plane's
            // data plane sends through this transport: resolve the book at first use.
            var book = new Lazy<PeerAddressBook>(() => new PeerAddressBook(services.GetRequiredService<AgentNode>().Context.Ring, options.PeerPort));
            return new StreamPeerTransport(
                new PeerTransportOptions { Self = options.PodName, Token = token },
                settings.PeerAddresses ?? (member => book.Value.Resolve(member)),
                new PeerMetrics(services.GetRequiredService<AgentMetrics>().Meter),
                services.GetRequiredService<ILoggerFactory>(),
                time);
        }, options.BindAddress, options.PeerPort);

        var web = builder.Build();
        var loggers = web.Services.GetRequiredService<ILoggerFactory>();
        var logger = loggers.CreateLogger("DataCluster.Agent");
        var node = web.Services.GetRequiredService<AgentNode>();
        var context = node.Context;
        if (settings.StreamKeepAlive is { } keepAlive)
        {
            context.StreamKeepAlive = keepAlive;
        }

        if (otlp)
        {
            AgentLog.OtlpExportEnabled(logger, options.OtlpEndpoint!.ToString());
        }

        web.UseRouting();
        UseAgentApi(web, context, logger);
        var peers = web.Services.GetRequiredService<StreamPeerTransport>();
        endpoints.Peer = web.Services.GetRequiredService<PeerListener>();

        var lifetime = web.Services.GetRequiredService<IHostApplicationLifetime>();
        var app = new AgentApp(web, node, web.Services.GetRequiredService<KubeClient>(), peers, endpoints);
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
    /// The services need <see cref="AgentTelemetry.Add"/> (the /metrics endpoint reads its meter provider).
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
        var forwarder = new LeaderForwarder(context, TimeSpan.FromMilliseconds(context.Options.WriteTimeout.TotalMilliseconds + ForwardMarginMs), logger);
        web.Lifetime.ApplicationStopped.Register(forwarder.Dispose);
        EventsApi.Map(web, context, forwarder);
        AgentApi.Map(web, context);
    }

    /// <summary>
    /// A forwarded write waits this much longer than the leader's own write timeout, so the
    /// leader's timeout answer (which says whether to retry) arrives before the hop gives up.
    /// </summary>
    private const int ForwardMarginMs = 2000;

    /// <summary>The data plane's settings from the agent's configuration.</summary>
    /// <param name="options">The agent's configuration.</param>
    /// <param name="ringMembers">The ring's current members, which stand-ins for down replicas are
    /// chosen from; null (or <see cref="AgentOptions.Substitutes"/> false) turns stand-ins off.</param>
    public static DataPlaneOptions DataPlaneOptionsOf(AgentOptions options, Func<IReadOnlyList<Ring.Member>>? ringMembers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new DataPlaneOptions
        {
            Self = options.PodName,
            Substitutes = options.Substitutes && ringMembers is not null
                ? new SubstituteOptions(new Ring.AssignmentSettings(options.Partitions, options.ReplicationFactor, options.OtherZoneReplicas, options.OtherRegionReplicas), ringMembers)
                : null,
            Store = new LogStoreOptions
            {
                DataDirectory = options.DataDirectory,
                FsyncPolicy = options.FsyncPolicy,
                FsyncInterval = options.FsyncInterval,
                RetentionBytes = options.RetentionBytes,
                RetentionAge = options.RetentionAge,
                SegmentBytes = SegmentBytesFor(options.RetentionBytes),
                // 64 KiB per partition keeps recent records for followers' catch-up reads while
                // bounding the cache at 16 MiB for the default 256 partitions.
                TailCacheBytes = 64 * 1024,
            },
            Replication = new ReplicationOptions
            {
                ProposalTimeoutMs = (long)options.WriteTimeout.TotalMilliseconds,
                RetryAfterMs = options.RetryAfterMs,
            },
        };
    }

    /// <summary>
    /// Segments small enough that size retention can act (it removes whole segments): a quarter
    /// of the retained bytes, between 1 MiB and 64 MiB; 16 MiB without a size limit, so a
    /// partition's recovery after a crash scans at most that much.
    /// </summary>
    private static long SegmentBytesFor(long? retentionBytes) =>
        retentionBytes is { } bytes ? Math.Clamp(bytes / 4, 1L << 20, 64L << 20) : 16L << 20;

    private static string ErrorCode(int status) => status switch
    {
        StatusCodes.Status404NotFound => "not_found",
        StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
        StatusCodes.Status400BadRequest => "bad_request",
        StatusCodes.Status413PayloadTooLarge => "too_large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
        _ => "http_" + status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
