using System.Collections.Concurrent;
using DataCluster.Client.Http;
using DataCluster.Client.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DataCluster.Client;

/// <summary>
/// The <see cref="IDataClusterClient"/> over the agents' HTTP API. It reads the ring from
/// <see cref="DataClusterClientOptions.BaseAddress"/>, follows every member's assignment stream
/// to know each partition's leader, and sends each request straight to that leader. Register it
/// with <see cref="DataClusterServiceCollectionExtensions.AddDataClusterClient(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{DataClusterClientOptions}?)"/>.
/// </summary>
public sealed partial class DataClusterClient : IDataClusterClient, IDisposable
{
    /// <summary>The name of the <see cref="HttpClient"/> it takes from <see cref="IHttpClientFactory"/> (configure its handler under this name).</summary>
    public const string HttpClientName = "DataCluster.Client";

    private readonly DataClusterClientOptions _options;
    private readonly AgentHttp _http;
    private readonly ClusterView _view;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _producerId;
    private readonly ConcurrentDictionary<int, SemaphoreSlim> _partitionGates = new();

    /// <summary>Per partition, the highest offset this client's writes were acknowledged at: its reads wait until a copy has committed that far.</summary>
    private readonly ConcurrentDictionary<int, long> _acknowledged = new();
    private long _sequence = -1;

    /// <summary>Builds a client; with DI, <c>AddDataClusterClient</c> does this.</summary>
    /// <exception cref="OptionsValidationException">The options are invalid; the message says which and how to fix them.</exception>
    public DataClusterClient(IHttpClientFactory httpClientFactory, IOptions<DataClusterClientOptions> options, ILogger<DataClusterClient>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        var validation = new DataClusterClientOptionsValidator().Validate(null, _options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(DataClusterClientOptions), validation.Failures);
        }

        _logger = logger ?? NullLogger<DataClusterClient>.Instance;
        _time = time ?? TimeProvider.System;
        _http = new AgentHttp(httpClientFactory, HttpClientName, _time);
        _view = new ClusterView(_http, _options, _logger);
        _producerId = _options.ProducerId ?? Guid.NewGuid().ToString("N");
    }

    /// <summary>The producer id this client's writes carry.</summary>
    public string ProducerId => _producerId;

    /// <inheritdoc />
    public async Task<int> PartitionOfAsync(string key, CancellationToken cancellationToken = default)
    {
        KeyCheck.Validate(key);
        var routes = await RingWithinAsync(_options.ReadTimeout, cancellationToken).ConfigureAwait(false);
        return DataCluster.Ring.KeyHash.PartitionOf(key, routes.Partitions);
    }

    /// <summary>
    /// The client address of <paramref name="partition"/>'s leader as this client knows it now,
    /// or null when no member claims it (before the first ring, or between leaders).
    /// </summary>
    public Uri? LeaderOf(int partition) => _view.Current.LeaderOf(partition);

    /// <inheritdoc />
    public IAsyncEnumerable<AssignmentChange> WatchAssignmentsAsync(Uri? agent = null, CancellationToken cancellationToken = default)
    {
        if (agent is not null && !agent.IsAbsoluteUri)
        {
            throw new ArgumentException($"'{agent}' is not an absolute URL; give an agent's client address such as {_options.BaseAddress}", nameof(agent));
        }

        return new AssignmentFeed(_http, agent ?? _options.BaseAddress, _options, _logger).RunAsync(cancellationToken);
    }

    /// <summary>Stops following the cluster and waits for the background work to end.</summary>
    public async ValueTask DisposeAsync() => await _view.DisposeAsync().ConfigureAwait(false);

    /// <summary>Stops following the cluster without waiting (prefer <see cref="DisposeAsync"/>).</summary>
    public void Dispose() => _view.Stop();

    /// <summary>The routes once the ring was read, waiting at most <paramref name="timeout"/> for the first ring.</summary>
    private async Task<Routes> RingWithinAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        try
        {
            return await _view.RingAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DataClusterUnavailableException(
                $"The ring could not be read from {_options.BaseAddress} within {timeout.TotalSeconds} s; check that an agent runs there (DataCluster:Client:BaseAddress).",
                null, null, null, null, null);
        }
    }

    /// <summary>Where to send a request for <paramref name="partition"/>: its leader when known and wanted, else the base address.</summary>
    private Uri Target(int partition) =>
        (_options.RouteToLeader ? _view.Current.LeaderOf(partition) : null) ?? _options.BaseAddress;

    private long ElapsedMs(long started) => (long)_time.GetElapsedTime(started).TotalMilliseconds;
}
