using System.Diagnostics.Metrics;
using System.Net;
using DataCluster.Contracts;
using DataCluster.Kube.Client;
using DataCluster.Kube.Config;
using DataCluster.Kube.Controllers;
using DataCluster.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DataCluster.Operator.Hosting;

/// <summary>What a caller (tests, tools) may replace in the composition; null keeps the default.</summary>
public sealed record OperatorHostOverrides
{
    /// <summary>The API server connection instead of --kubeconfig / KubeConfig.Load().</summary>
    public KubeConfig? KubeConfig { get; init; }

    /// <summary>Configures logging instead of the console formatter chosen by --log-format.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    public TimeProvider? TimeProvider { get; init; }
}

/// <summary>
/// The composition root of the operator process: one web host with Kestrel serving /metrics and
/// /healthz, /readyz on their own addresses, and <see cref="OperatorService"/> doing the work.
/// The real process and the integration tests build it the same way.
/// </summary>
public static class OperatorHost
{
    private const string EndpointRole = "datacluster.endpoint";
    private const string MetricsRole = "metrics";
    private const string HealthRole = "health";
    private const string BothRoles = "metrics+health";

    /// <summary>Builds the host; start it with RunAsync (the process) or StartAsync/StopAsync (tests).</summary>
    /// <exception cref="KubeConfigException">No usable Kubernetes configuration; the message says what is missing.</exception>
    public static WebApplication Build(OperatorOptions options, OperatorHostOverrides? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        overrides ??= new OperatorHostOverrides();
        var kubeConfig = overrides.KubeConfig ?? (options.Kubeconfig is { } path ? KubeConfig.FromFile(path) : KubeConfig.Load());
        var builder = WebApplication.CreateSlimBuilder(DataClusterWebHost.Options(LabelKeys.OperatorName));

        if (overrides.ConfigureLogging is { } configureLogging)
        {
            builder.Logging.ClearProviders();
            configureLogging(builder.Logging);
            builder.Logging.SetMinimumLevel(options.LogLevel).WithQuietFramework();
        }
        else
        {
            builder.Logging.AddDataClusterConsole(options.LogFormat, options.LogLevel);
        }

        builder.AddDataClusterTelemetry(new TelemetrySettings(LabelKeys.OperatorName, [OperatorMetrics.MeterName]) { ServiceInstanceId = options.Identity });
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(overrides.TimeProvider ?? TimeProvider.System);
        services.AddSingleton(sp => new OperatorMetrics(sp.GetRequiredService<IMeterFactory>()));
        services.AddSingleton<OperatorState>();
        services.AddSingleton(sp => new KubeClient(kubeConfig, logger: sp.GetRequiredService<ILogger<KubeClient>>()));
        services.AddSingleton<IKubeClient>(sp => new CountingKubeClient(sp.GetRequiredService<KubeClient>(), sp.GetRequiredService<OperatorMetrics>()));
        services.AddSingleton<IEventRecorder>(sp => new EventRecorder(
            sp.GetRequiredService<IKubeClient>(),
            new EventRecorderOptions { Component = LabelKeys.OperatorName, Instance = options.Identity, TimeProvider = sp.GetRequiredService<TimeProvider>() },
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<EventRecorder>()));
        services.AddSingleton<OperatorRuntime>();
        services.AddHostedService<OperatorService>();
        // Stopping waits for in-flight reconciles and the Lease release; the default 30 s is ample.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var (address, role) in Endpoints(options))
            {
                void Tag(ListenOptions listen) => listen.Use(next => connection =>
                {
                    connection.Items[EndpointRole] = role;
                    return next(connection);
                });

                if (address.Host is null)
                {
                    kestrel.ListenAnyIP(address.Port, Tag);
                }
                else
                {
                    kestrel.Listen(address.Host, address.Port, Tag);
                }
            }
        });

        var app = builder.Build();
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
            Role(context) is MetricsRole or BothRoles && context.Request.Path.Value == "/metrics"
            && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)));
        app.Run(context => ServeAsync(context, app.Services));
        return app;
    }

    /// <summary>The listeners: one per distinct address, each serving the endpoints given that address.</summary>
    private static IEnumerable<(BindAddress Address, string Role)> Endpoints(OperatorOptions options)
    {
        if (options.MetricsBindAddress is not { } metrics)
        {
            return [(options.HealthProbeBindAddress, HealthRole)];
        }

        return metrics == options.HealthProbeBindAddress
            ? [(metrics, BothRoles)]
            : [(metrics, MetricsRole), (options.HealthProbeBindAddress, HealthRole)];
    }

    private static async Task ServeAsync(HttpContext context, IServiceProvider services)
    {
        var healthHere = Role(context) is HealthRole or BothRoles;
        var path = context.Request.Path.Value;
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        if (healthHere && path == "/healthz")
        {
            await Text(context, StatusCodes.Status200OK, "ok").ConfigureAwait(false);
            return;
        }

        if (healthHere && path == "/readyz")
        {
            var (ready, why) = Readiness(services);
            await Text(context, ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, why).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
    }

    /// <summary>What the listener the request came in on serves: metrics, health or both.</summary>
    private static string? Role(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(EndpointRole, out var value) == true ? value as string : null;

    /// <summary>Ready when leading with synced caches, or when standing by as a non-leader (a standby is healthy and must not be restarted).</summary>
    public static (bool Ready, string Why) Readiness(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.GetRequiredService<OperatorOptions>();
        var state = services.GetRequiredService<OperatorState>();
        var runtime = services.GetRequiredService<OperatorRuntime>();
        if (runtime.CachesSynced)
        {
            return (true, "ok: leading, caches synced");
        }

        if (options.LeaderElect && !state.Leading)
        {
            return (true, "ok: standing by");
        }

        return (false, "caches not synced yet");
    }

    private static Task Text(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text + "\n", context.RequestAborted);
    }
}
