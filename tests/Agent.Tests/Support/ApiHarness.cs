using System.Net;
using System.Net.Sockets;
using System.Text;
using DataCluster.Agent.Assignments;
using DataCluster.Agent.Configuration;
using DataCluster.Agent.Hosting;
using DataCluster.Agent.Leadership;
using DataCluster.Agent.Membership;
using DataCluster.Agent.Observability;
using DataCluster.Contracts;
using DataCluster.Testing.Logging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataCluster.Agent.Tests.Support;

/// <summary>
/// The agent's client API on Kestrel at 127.0.0.1 (a free port), over state the test controls:
/// a real <see cref="AssignmentState"/> and <see cref="RingView"/>, and settable heartbeat and
/// leadership views.
/// </summary>
internal sealed class ApiHarness : IAsyncDisposable
{
    private ApiHarness(WebApplication app, AgentContext context, FakeHeartbeat heartbeat, FakeLeadership leadership)
    {
        App = app;
        Context = context;
        Heartbeat = heartbeat;
        Leadership = leadership;
        BaseAddress = new Uri(app.Urls.First());
        Http = new HttpClient { BaseAddress = BaseAddress };
    }

    public WebApplication App { get; }

    public AgentContext Context { get; }

    public FakeHeartbeat Heartbeat { get; }

    public FakeLeadership Leadership { get; }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public AssignmentState Assignments => Context.Assignments;

    public static AgentOptions Options(int partitions) => AgentOptionsReader.Read(name => name switch
    {
        AgentEnvironment.ClusterName => "dc",
        AgentEnvironment.PodName => "dc-0",
        AgentEnvironment.PodNamespace => "test",
        AgentEnvironment.PodIp => "127.0.0.1",
        AgentEnvironment.BindAddress => "127.0.0.1",
        AgentEnvironment.Partitions => partitions.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AgentEnvironment.ReplicationFactor => "2",
        _ => null,
    });

    public static async Task<ApiHarness> StartAsync(int partitions = 16, TimeSpan? keepAlive = null)
    {
        var options = Options(partitions);
        var log = new TestLogger("api ");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(log);
        AgentTelemetry.Add(builder, options);
        var app = builder.Build();
        var metrics = app.Services.GetRequiredService<AgentMetrics>();
        var heartbeat = new FakeHeartbeat();
        var leadership = new FakeLeadership();
        var context = new AgentContext
        {
            Options = options,
            Ring = new RingView("dc"),
            Assignments = new AssignmentState("dc-0", partitions, "test/dc-assignment", metrics, log),
            Heartbeat = heartbeat,
            Leadership = leadership,
            Metrics = metrics,
        };
        if (keepAlive is { } interval)
        {
            context.StreamKeepAlive = interval;
        }

        AgentHost.UseAgentApi(app, context, log);
        await app.StartAsync(Xunit.TestContext.Current.CancellationToken);
        return new ApiHarness(app, context, heartbeat, leadership);
    }

    /// <summary>
    /// Sends a request with exactly this request target (no client-side escaping or
    /// normalization) and returns the status and body.
    /// </summary>
    public async Task<(int Status, string Body, string Headers)> RawGetAsync(string target, string method = "GET")
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(BaseAddress.Host, BaseAddress.Port, Xunit.TestContext.Current.CancellationToken);
        var stream = tcp.GetStream();
        var request = Encoding.UTF8.GetBytes($"{method} {target} HTTP/1.1\r\nHost: agent\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(request, Xunit.TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(Xunit.TestContext.Current.CancellationToken);
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split < 0 ? text : text[..split];
        var body = split < 0 ? "" : text[(split + 4)..];
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Unchunk(body);
        }

        var status = int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, body, head);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
    }

    private static string Unchunk(string chunked)
    {
        var result = new StringBuilder();
        var position = 0;
        while (position < chunked.Length)
        {
            var lineEnd = chunked.IndexOf("\r\n", position, StringComparison.Ordinal);
            if (lineEnd < 0)
            {
                break;
            }

            var size = Convert.ToInt32(chunked[position..lineEnd], 16);
            if (size == 0)
            {
                break;
            }

            // Sizes count bytes; bodies here are JSON, whose non-ASCII is escaped by the serializer.
            result.Append(chunked, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }

        return result.ToString();
    }

    internal sealed class FakeHeartbeat : IHeartbeatView
    {
        public bool IsHeld { get; set; } = true;

        public string? Problem { get; set; }
    }

    internal sealed class FakeLeadership : ILeadershipView
    {
        public string? CurrentLeader { get; set; } = "dc-1";

        public bool IsLeader { get; set; }

        public int? LeaseTransitions { get; set; } = 3;
    }
}
