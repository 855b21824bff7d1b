using System.Collections.Concurrent;
using System.Net;
using DataCluster.Agent.Peers;
using DataCluster.Agent.Tests.Support;
using DataCluster.Replication;
using DataCluster.Replication.Messages;
using DataCluster.Testing.Logging;
using DataCluster.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace DataCluster.Agent.Tests.Peers;

/// <summary>Member ids to peer URLs for a test; members register once their host is listening.</summary>
internal sealed class PeerDirectory
{
    private readonly ConcurrentDictionary<string, Uri> _urls = new(StringComparer.Ordinal);

    public void Set(string member, Uri? url)
    {
        if (url is null)
        {
            _urls.TryRemove(member, out _);
        }
        else
        {
            _urls[member] = url;
        }
    }

    public Uri? Resolve(string member) => _urls.GetValueOrDefault(member);
}

/// <summary>
/// One member's peer side at 127.0.0.1: the transport and its listener exactly as the agent's
/// host wires them (<see cref="PeerHosting"/>), without the rest of the agent. Registers its
/// address in the directory once listening.
/// </summary>
internal sealed class PeerHost : IAsyncDisposable
{
    public static readonly PeerToken Token = PeerToken.FromValue("test-token-0123456789abcdef");

    private readonly IHost _app;
    private bool _stopped;

    private PeerHost(IHost app, StreamPeerTransport transport, System.Diagnostics.Metrics.Meter meter, TestLogger log, Uri address)
    {
        _app = app;
        Listener = app.Services.GetRequiredService<PeerListener>();
        Transport = transport;
        Meter = meter;
        Log = log;
        Address = address;
    }

    public StreamPeerTransport Transport { get; }

    public PeerListener Listener { get; }

    public PeerMetrics Metrics => Transport.Metrics;

    /// <summary>The meter the transport's instruments are on.</summary>
    public System.Diagnostics.Metrics.Meter Meter { get; }

    public TestLogger Log { get; }

    /// <summary>http://127.0.0.1:PORT of the peer endpoint.</summary>
    public Uri Address { get; }

    public string Self => Transport.Self;

    public static async Task<PeerHost> StartAsync(
        string self, PeerDirectory directory, int port = 0, Func<PeerTransportOptions, PeerTransportOptions>? configure = null, PeerToken? token = null)
    {
        var options = new PeerTransportOptions
        {
            Self = self,
            Token = token ?? Token,
            // Tests restart peers: reconnect quickly.
            InitialBackoff = TimeSpan.FromMilliseconds(20),
            MaxBackoff = TimeSpan.FromMilliseconds(200),
        };
        options = configure?.Invoke(options) ?? options;
        var log = new TestLogger($"{self} ");
        var meter = new System.Diagnostics.Metrics.Meter("DataCluster.Agent.Tests.Peers");
        var builder = Host.CreateEmptyApplicationBuilder(null);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(log);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddPeerTransport(
            services => new StreamPeerTransport(options, directory.Resolve, new PeerMetrics(meter), services.GetRequiredService<ILoggerFactory>()), IPAddress.Loopback, port);
        var app = builder.Build();
        var transport = app.Services.GetRequiredService<StreamPeerTransport>();
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = new Uri($"http://127.0.0.1:{app.Services.GetRequiredService<PeerListener>().LocalEndPoint!.Port}");
        directory.Set(self, address);
        return new PeerHost(app, transport, meter, log, address);
    }

    public void Send(string to, params PartitionMessage[] items) => Transport.Send(new OutgoingMessage(to, new PeerMessage(items)));

    /// <summary>Stops serving and sending, as a killed member would.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        Transport.StopReceiving();
        await _app.StopAsync(CancellationToken.None);
        _app.Dispose();
        Meter.Dispose();
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
