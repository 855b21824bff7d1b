using System.Diagnostics.Metrics;
using System.Net;
using DataCluster.Testing.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataCluster.Telemetry.Tests;

/// <summary>A web host with <see cref="DataClusterTelemetry"/> on 127.0.0.1 and a free port, serving /metrics.</summary>
internal sealed class ScrapedHost : IAsyncDisposable
{
    public const string MeterName = "DataCluster.Test";

    private readonly WebApplication _app;
    private readonly HttpClient _http;

    private ScrapedHost(WebApplication app)
    {
        _app = app;
        _http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        Meter = app.Services.GetRequiredService<IMeterFactory>().Create(MeterName);
    }

    /// <summary>A meter of the host's own factory, so its instruments are collected.</summary>
    public Meter Meter { get; }

    public static async Task<ScrapedHost> StartAsync(IReadOnlyDictionary<string, string?>? configuration = null, Func<TelemetrySettings, TelemetrySettings>? settings = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        var telemetry = new TelemetrySettings("test-service", [MeterName]) { ServiceInstanceId = "test-0" };
        builder.AddDataClusterTelemetry(settings?.Invoke(telemetry) ?? telemetry);
        var app = builder.Build();
        app.MapPrometheusScrapingEndpoint("/metrics");
        await app.StartAsync(Xunit.TestContext.Current.CancellationToken);
        return new ScrapedHost(app);
    }

    public async Task<HttpResponseMessage> GetAsync() => await _http.GetAsync("/metrics", Xunit.TestContext.Current.CancellationToken);

    public async Task<IReadOnlyDictionary<string, PrometheusFamily>> ScrapeAsync()
    {
        using var response = await GetAsync();
        response.EnsureSuccessStatusCode();
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync(Xunit.TestContext.Current.CancellationToken));
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
