using System.Net;
using DataCluster.Agent.Configuration;
using DataCluster.Agent.Hosting;
using DataCluster.Agent.Http;
using DataCluster.Agent.Observability;
using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
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
    /// 2 when the Kubernetes configuration cannot be found or its credentials cannot be obtained,
    /// 1 when the agent fails to start.
    /// </summary>
    public static async Task<int> RunAsync(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        AgentApp app;
        try
        {
            app = Build(options);
        }
        catch (KubeConfigException e)
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
                return 0;
            }
            catch (IOException e)
            {
                // Kestrel could not bind: the address is taken or not local.
                await Console.Error.WriteLineAsync($"datacluster-agent: cannot listen on {options.BindAddress}:{options.ClientPort}: {e.Message}").ConfigureAwait(false);
                return 1;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                await Console.Error.WriteLineAsync($"datacluster-agent: failed: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        }
    }

    /// <summary>Builds the agent without starting it.</summary>
    /// <exception cref="KubeConfigException">No usable Kubernetes configuration.</exception>
    public static AgentApp Build(AgentOptions options, AgentHostSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        settings ??= new AgentHostSettings();
        var kube = settings.Kube ?? KubeConfig.Load();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(options.BindAddress, options.ClientPort));
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
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(10));

        if (settings.Configuration is { } configuration)
        {
            builder.Configuration.AddInMemoryCollection(configuration);
        }

        var time = settings.Time ?? TimeProvider.System;
        var otlp = AgentTelemetry.Add(builder, options);
        builder.Services.AddSingleton(services => new KubeClient(kube, new KubeClientOptions(), services.GetRequiredService<ILoggerFactory>().CreateLogger<KubeClient>()));
        builder.Services.AddSingleton(services => new AgentNode(options, services.GetRequiredService<KubeClient>(), services.GetRequiredService<AgentMetrics>(), services.GetRequiredService<ILoggerFactory>(), time));
        builder.Services.AddHostedService<AgentService>();

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

        UseAgentApi(web, context, logger);

        var lifetime = web.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(() =>
        {
            AgentLog.Starting(logger, options.PodName, options.ClusterName, options.Namespace, kube.Server.ToString(), kube.Source ?? "configuration");
            AgentLog.Serving(logger, options.PodName, string.Join(", ", web.Urls));
        });

        // Readiness turns off first, before any service stops.
        lifetime.ApplicationStopping.Register(context.BeginStopping);
        return new AgentApp(web, node, web.Services.GetRequiredService<KubeClient>());
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
}
