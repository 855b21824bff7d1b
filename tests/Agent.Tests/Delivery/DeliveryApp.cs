using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Tests.Delivery;

/// <summary>One POST the app received: who sent which events of which partition, when, and what it answered.</summary>
internal sealed record Received(string Member, int Partition, long Epoch, long NextOffset, long[] Offsets, string[] Bodies, TimeSpan At, int Status);

/// <summary>
/// A local app on an in-process Kestrel that takes pushed batches at <see cref="Url"/>, records
/// every attempt, and answers what <see cref="Answer"/> says (200 by default).
/// </summary>
internal sealed class DeliveryApp : IAsyncDisposable
{
    private readonly WebApplication _web;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private DeliveryApp(WebApplication web) => _web = web;

    public Uri Url { get; private set; } = null!;

    /// <summary>Every attempt, in arrival order.</summary>
    public ConcurrentQueue<Received> Attempts { get; } = new();

    /// <summary>The status to answer a batch with; called once per attempt.</summary>
    public Func<Received, int> Answer { get; set; } = _ => 200;

    /// <summary>Called with each batch answered 2xx, before the answer leaves.</summary>
    public Action<Received>? OnTaken { get; set; }

    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Batches answered 2xx, in arrival order.</summary>
    public IReadOnlyList<Received> Taken => [.. Attempts.Where(a => a.Status is >= 200 and < 300)];

    /// <summary>The events taken for a partition, as offsets in arrival order (duplicates included).</summary>
    public List<long> TakenOffsets(int partition) => [.. Taken.Where(b => b.Partition == partition).SelectMany(b => b.Offsets)];

    public static async Task<DeliveryApp> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var web = builder.Build();
        var app = new DeliveryApp(web);
        web.MapPost("/events", (Func<HttpContext, Task>)app.TakeAsync);
        await web.StartAsync(cancellationToken);
        app.Url = new Uri(web.Urls.First().Replace("127.0.0.1", "127.0.0.1", StringComparison.Ordinal) + "/events");
        return app;
    }

    private async Task TakeAsync(HttpContext context)
    {
        using var json = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var root = json.RootElement;
        var events = root.GetProperty("events").EnumerateArray().ToList();
        var received = new Received(
            root.GetProperty("member").GetString()!,
            root.GetProperty("partition").GetInt32(),
            root.GetProperty("epoch").GetInt64(),
            root.GetProperty("nextOffset").GetInt64(),
            [.. events.Select(e => e.GetProperty("offset").GetInt64())],
            [.. events.Select(e => Encoding.UTF8.GetString(e.GetProperty("body").GetBytesFromBase64()))],
            _clock.Elapsed,
            0);
        var status = Answer(received);
        received = received with { Status = status };
        if (status is >= 200 and < 300)
        {
            OnTaken?.Invoke(received);
        }

        Attempts.Enqueue(received);
        context.Response.StatusCode = status;
    }

    public async ValueTask DisposeAsync()
    {
        await _web.StopAsync(CancellationToken.None);
        await _web.DisposeAsync();
    }
}
